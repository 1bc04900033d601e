/**
 * Compiles every control's Rego to one WebAssembly module (policies/dist/policy.wasm) with a manifest
 * of the OPA version, entrypoints and source hashes. `--check` rebuilds in a temporary folder and
 * fails when the committed files differ (drift).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { loadCatalog, loadControl } from "../src/catalog/load.js";
import { findTool } from "../src/tools/find.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../src/paths.js";

const argv = process.argv.slice(2);
const check = argv.includes("--check");
const optionValue = (flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
// --only a,b and --out DIR build a partial bundle elsewhere (for work in progress on some controls).
const only = optionValue("--only")?.split(",");
const opa = findTool("opa");
const controls = (only ? only.map((id) => loadControl(join(POLICIES_DIR, id))) : loadCatalog()).filter((c) => c.engines.includes("rego"));
const entrypoints = controls.map((c) => `${c.regoPackage.replaceAll(".", "/")}/violation`);

function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function regoSources(): string[] {
  if (only)
    return [
      ...readdirSync(join(POLICIES_DIR, "lib"))
        .filter((f) => f.endsWith(".rego") && !f.endsWith("_test.rego"))
        .map((f) => join(POLICIES_DIR, "lib", f)),
      ...only.map((id) => join(POLICIES_DIR, id, "policy.rego")),
    ];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".rego") && !entry.name.endsWith("_test.rego")) out.push(path);
    }
  };
  walk(POLICIES_DIR);
  return out;
}

const work = mkdtempSync(join(tmpdir(), "erlmcp-audit-wasm-"));
try {
  const sources = regoSources();
  const bundle = join(work, "bundle.tar.gz");
  // opa embeds source file names in the wasm: build from the package root with relative paths, so that
  // every checkout (wherever it lives) produces the same bytes.
  execFileSync(
    opa,
    [
      "build",
      "-t",
      "wasm",
      "--capabilities",
      relative(PACKAGE_ROOT, join(POLICIES_DIR, "capabilities.json")),
      ...entrypoints.flatMap((e) => ["-e", e]),
      "-o",
      bundle,
      ...sources.map((s) => relative(PACKAGE_ROOT, s)),
    ],
    { stdio: ["ignore", "inherit", "inherit"], cwd: PACKAGE_ROOT },
  );
  execFileSync("tar", ["-xzf", bundle, "-C", work, "/policy.wasm"], { stdio: ["ignore", "ignore", "ignore"] });
  const wasm = readFileSync(join(work, "policy.wasm"));
  const opaVersion = /Version: (\S+)/.exec(execFileSync(opa, ["version"], { encoding: "utf8" }))?.[1];
  const manifest = {
    opaVersion,
    wasmSha256: sha256(wasm),
    entrypoints: Object.fromEntries(controls.map((c, i) => [c.id, entrypoints[i]])),
    sources: Object.fromEntries(sources.map((s) => [relative(PACKAGE_ROOT, s), sha256(readFileSync(s))])),
    capabilitiesSha256: sha256(readFileSync(join(POLICIES_DIR, "capabilities.json"))),
  };
  const manifestText = JSON.stringify(manifest, null, 2) + "\n";
  const dist = optionValue("--out") ?? join(POLICIES_DIR, "dist");
  if (check) {
    const drift: string[] = [];
    const read = (f: string) => {
      try {
        return readFileSync(join(dist, f));
      } catch {
        return Buffer.alloc(0);
      }
    };
    if (!read("policy.wasm").equals(wasm)) drift.push("policies/dist/policy.wasm");
    if (read("manifest.json").toString() !== manifestText) drift.push("policies/dist/manifest.json");
    if (drift.length) {
      console.error(`Policy bundle drifted from its Rego sources: ${drift.join(", ")}. Run \`npm run build:policies\` and commit.`);
      process.exit(1);
    }
    console.log(`policies/dist is up to date (${controls.length} controls, opa ${opaVersion})`);
  } else {
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, "policy.wasm"), wasm);
    writeFileSync(join(dist, "manifest.json"), manifestText);
    console.log(
      `${relative(PACKAGE_ROOT, dist) || dist}/policy.wasm: ${controls.length} controls, ${wasm.length} bytes, opa ${opaVersion}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
