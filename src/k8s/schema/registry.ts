/**
 * Which schema checks an apiVersion/kind. The Kubernetes API types come from `kubernetes-models` and the
 * custom resources we know from the `@kubernetes-models/*` packages: validators generated from the
 * Kubernetes OpenAPI document and from each project's CustomResourceDefinitions, shipped as runtime
 * dependencies (see docs/inputs.md, "Types").
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

/** Kubernetes release whose OpenAPI document the shipped built-in schemas were generated from (kubernetes-models 5.1.0). */
export const KUBERNETES_SCHEMA_VERSION = "1.34";

/** Packages of model classes, built-in API first; each holds one folder per API group (`v1` is the core group). */
export const SCHEMA_PACKAGES = [
  "kubernetes-models",
  "@kubernetes-models/istio",
  "@kubernetes-models/argo-cd",
  "@kubernetes-models/argo-rollouts",
  "@kubernetes-models/cert-manager",
  "@kubernetes-models/prometheus-operator",
  "@kubernetes-models/external-secrets",
  "@kubernetes-models/flux-cd",
  "@kubernetes-models/autoscaler",
] as const;

/** A model class of kubernetes-models: `validate()` checks `this` and throws an error carrying ajv's `errors`. */
export interface ModelClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly prototype: { validate(this: object): void };
}

/** The schema of one kind: the model class whose `validate` checks an object, and the package it comes from. */
export interface KindSchema {
  model: ModelClass;
  /** `package@version` of the schema. */
  source: string;
}

const GROUP = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

export interface SchemaPackage {
  name: string;
  version: string;
  root: string;
}

/** dist/schemas/index.json (scripts/bundle-schemas.ts): the package versions bundled and the module path of every bundled kind. */
export interface SchemaBundleIndex {
  versions: Record<string, string>;
  /** `<package>/<group or v1>/[<version>/]<Kind>.js`, each bundled at that path under dist/schemas. */
  modules: string[];
}
export const BUNDLE_INDEX = "index.json";
/** Where `npm run build` writes the bundles; absent when running from src (tests), where the packages are read. */
const BUNDLE_DIR = fileURLToPath(new URL("../../schemas/", import.meta.url));

/** The installed folder of a package (its `exports` allow `import` only, so it is found the way Node looks for it). */
function packageRoot(name: string): string {
  for (const dir of require.resolve.paths(name) ?? []) if (existsSync(join(dir, name, "package.json"))) return join(dir, name);
  throw new Error(`${name} is not installed: run npm ci`);
}

let installed: SchemaPackage[] | undefined;

/** SCHEMA_PACKAGES as installed: name, version and folder. */
export function installedSchemaPackages(): SchemaPackage[] {
  return (installed ??= SCHEMA_PACKAGES.map((name) => {
    const root = packageRoot(name);
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    return { name, version, root };
  }));
}

/** API group → packages that hold models for it, read once from the installed packages' folders. */
function packagesByGroup(packages: readonly SchemaPackage[]): Map<string, SchemaPackage[]> {
  const byGroup = new Map<string, SchemaPackage[]>();
  for (const pkg of packages)
    for (const entry of readdirSync(pkg.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith("_") || entry.name === "node_modules") continue;
      const group = pkg.name === "kubernetes-models" && entry.name === "v1" ? "" : entry.name;
      byGroup.set(group, [...(byGroup.get(group) ?? []), pkg]);
    }
  return byGroup;
}

/** The bundled modules, when `dir` holds bundles of exactly the installed package versions; else undefined (the packages are read). */
function bundledModules(dir: string, packages: readonly SchemaPackage[]): Set<string> | undefined {
  const file = join(dir, BUNDLE_INDEX);
  if (!existsSync(file)) return undefined;
  const index = JSON.parse(readFileSync(file, "utf8")) as SchemaBundleIndex;
  const current = packages.every((p) => index.versions[p.name] === p.version) && Object.keys(index.versions).length === packages.length;
  return current ? new Set(index.modules) : undefined;
}

/** Splits `apps/v1` into group and version; the core group is "". */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The class `exportName` of the ES module at `file` (the packages are ES modules only). */
async function loadModel(file: string, exportName: string): Promise<ModelClass | undefined> {
  if (!existsSync(file)) return undefined;
  const exported = ((await import(pathToFileURL(file).href)) as Record<string, unknown>)[exportName];
  return typeof exported === "function" ? (exported as unknown as ModelClass) : undefined;
}

/** Finds kinds' schemas in the bundles of `bundleDir` when they are current, else in the installed packages. */
export interface SchemaRegistry {
  /** The schema of `apiVersion`/`kind`, or undefined when no shipped package knows the kind (an unknown custom resource). */
  schemaFor(apiVersion: string, kind: string): Promise<KindSchema | undefined>;
  /** The core/v1 PodSpec schema, for pod templates embedded in custom resources no shipped package knows. */
  podSpecSchema(): Promise<KindSchema>;
  /** Whether the modules come from bundles. */
  readonly bundled: boolean;
}

export function createSchemaRegistry(bundleDir: string | undefined = BUNDLE_DIR): SchemaRegistry {
  const packages = installedSchemaPackages();
  const byGroup = packagesByGroup(packages);
  const bundled = bundleDir === undefined ? undefined : bundledModules(bundleDir, packages);
  const cache = new Map<string, Promise<KindSchema | undefined>>();

  /** `module` (`<package>/<path>`) from its bundle, or from the package; undefined when neither has it. */
  const load = (pkg: SchemaPackage, path: string, exportName: string) => {
    if (!bundled) return loadModel(join(pkg.root, path), exportName);
    const module = `${pkg.name}/${path}`;
    return bundled.has(module) ? loadModel(join(bundleDir!, module), exportName) : Promise.resolve(undefined);
  };

  async function findSchema(apiVersion: string, kind: string): Promise<KindSchema | undefined> {
    const { group, version } = splitApiVersion(apiVersion);
    if ((group && !GROUP.test(group)) || !VERSION.test(version) || !KIND.test(kind)) return undefined;
    for (const pkg of byGroup.get(group) ?? []) {
      const model = await load(pkg, group ? `${group}/${version}/${kind}.js` : `v1/${kind}.js`, kind);
      // Only top-level kinds carry their apiVersion and kind; `apps/v1 DeploymentSpec` is a part, not a kind.
      if (model && model.apiVersion === apiVersion && model.kind === kind) return { model, source: `${pkg.name}@${pkg.version}` };
    }
    return undefined;
  }

  return {
    bundled: bundled !== undefined,
    schemaFor(apiVersion, kind) {
      const key = `${apiVersion}/${kind}`;
      let found = cache.get(key);
      if (!found) cache.set(key, (found = findSchema(apiVersion, kind)));
      return found;
    },
    async podSpecSchema() {
      const pkg = packages[0]!;
      const model = await load(pkg, "v1/PodSpec.js", "PodSpec");
      if (!model) throw new Error("kubernetes-models is installed without core/v1 PodSpec");
      return { model, source: `${pkg.name}@${pkg.version}` };
    },
  };
}

let registry: SchemaRegistry | undefined;
const shared = () => (registry ??= createSchemaRegistry());

/** The schema of `apiVersion`/`kind`, or undefined when no shipped package knows the kind (an unknown custom resource). */
export const schemaFor = (apiVersion: string, kind: string) => shared().schemaFor(apiVersion, kind);

/** The core/v1 PodSpec schema, for pod templates embedded in custom resources no shipped package knows. */
export const podSpecSchema = () => shared().podSpecSchema();
