/**
 * Bundles the schema validators of every kind the shipped packages know (src/k8s/schema/registry.ts,
 * SCHEMA_PACKAGES) into dist/schemas, with the code two kinds share split into common chunks. Importing
 * a kind from the packages loads every generated schema module it reaches, one file each (about 1,000
 * files for the kinds of manifests/); its bundle is one file and a few chunks. dist/schemas/index.json
 * names the bundle of each kind's module and the package versions bundled; the registry falls back to
 * the packages when they are not the versions bundled. Run by `npm run build`, after tsc.
 */
import { build, type Plugin } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/paths.js";
import { BUNDLE_INDEX, SCHEMA_PACKAGES, installedSchemaPackages, type SchemaBundleIndex } from "../src/k8s/schema/registry.js";

const OUT = join(PACKAGE_ROOT, "dist", "schemas");
/** Packages bundled with the kinds: the shared apimachinery schemas. Every other bare import (the validator runtime, ajv) stays a package import. */
const BUNDLED = new Set<string>([...SCHEMA_PACKAGES, "@kubernetes-models/apimachinery"]);
/** Modules a kind is looked up by without being a top-level kind (src/k8s/schema/registry.ts podSpecSchema). */
const PARTS = new Set(["kubernetes-models/v1/PodSpec.js"]);

const packageName = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

/** The validators' RE2, compiled on first use (src/k8s/schema/lazy-re2.ts): bundled in place of the runtime's, which loads re2-wasm at once. */
const RE2_RUNTIME = "@kubernetes-models/validate/runtime/re2";
const LAZY_RE2 = join(PACKAGE_ROOT, "src", "k8s", "schema", "lazy-re2.ts");

const externalRuntime: Plugin = {
  name: "external-runtime",
  setup(b) {
    b.onResolve({ filter: /\/runtime\/re2$/ }, (args) => (args.path === RE2_RUNTIME ? { path: LAZY_RE2 } : undefined));
    b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED.has(packageName(args.path)) ? undefined : { path: args.path, external: true }));
  },
};

/** Each module the registry may import: `<package>/<group or v1>/[<version>/]<Kind>.js` → its file, for classes that carry an apiVersion. */
function entryPoints(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const pkg of installedSchemaPackages()) {
    const folders = readdirSync(pkg.root, { withFileTypes: true }).filter(
      (e) => e.isDirectory() && !e.name.startsWith("_") && e.name !== "node_modules",
    );
    for (const folder of folders) {
      const core = pkg.name === "kubernetes-models" && folder.name === "v1";
      const dirs = core
        ? [folder.name]
        : readdirSync(join(pkg.root, folder.name), { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => `${folder.name}/${e.name}`);
      for (const dir of dirs)
        for (const file of readdirSync(join(pkg.root, dir))) {
          if (!/^[A-Z][A-Za-z0-9]*\.js$/.test(file)) continue;
          const key = `${pkg.name}/${dir}/${file}`;
          const path = join(pkg.root, dir, file);
          if (PARTS.has(key) || readFileSync(path, "utf8").includes("this.apiVersion=")) entries[key.slice(0, -".js".length)] = path;
        }
    }
  }
  return entries;
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const entries = entryPoints();
await build({
  entryPoints: entries,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  outdir: OUT,
  chunkNames: "chunks/[hash]",
  plugins: [externalRuntime],
  logLevel: "warning",
  legalComments: "linked",
});
const index: SchemaBundleIndex = {
  versions: Object.fromEntries(installedSchemaPackages().map((p) => [p.name, p.version])),
  modules: Object.keys(entries)
    .map((name) => `${name}.js`)
    .sort(),
};
writeFileSync(join(OUT, BUNDLE_INDEX), `${JSON.stringify(index)}\n`);
// stderr: `npm pack` runs the build (prepare) and prints the tarball's name on stdout, which callers read.
console.error(`schemas: ${Object.keys(entries).length} kinds bundled into ${OUT}`);
