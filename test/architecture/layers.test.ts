/**
 * The data path reads top to bottom: a module imports only from its own layer or a lower one, and the
 * admission webhook reaches the engines only through their interface and factory.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";

/** Layers, lowest first; a path is a file or a folder of src/. */
export const LAYERS: ReadonlyArray<readonly string[]> = [
  ["types.ts", "paths.ts", "errors.ts", "version.ts", "records.ts", "digest.ts", "tools", "cache"],
  // Waiver files are read with the config: their types are data contracts, applying them is layer 6.
  ["catalog", "config", "k8s", "yaml", "waivers/types.ts"],
  ["loaders", "units", "validators", "gatekeeper"],
  ["engines", "thirdparty"],
  ["findings"],
  ["evaluation", "locate"],
  ["waivers", "baseline"],
  ["report/types.ts", "gate"],
  ["report/build.ts", "report/network.ts", "audit.ts", "cache/units.ts"],
  ["reporters", "evidence", "admission", "ledger", "cluster"],
  ["cli", "index.ts"],
];

const SRC = join(PACKAGE_ROOT, "src");

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [relative(SRC, join(dir, e.name))] : [],
  );
}

/** The layer of a file of src/: the most specific entry that is the file or a folder above it. */
function layerOf(file: string): number {
  let best: { layer: number; length: number } | undefined;
  LAYERS.forEach((entries, layer) => {
    for (const entry of entries)
      if ((file === entry || file.startsWith(`${entry}/`)) && entry.length > (best?.length ?? -1)) best = { layer, length: entry.length };
  });
  if (!best) throw new Error(`src/${file} is in no layer of test/architecture/layers.test.ts`);
  return best.layer;
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  return [...text.matchAll(/(?:from|import\()\s*"(\.{1,2}\/[^"]+)"/g)].map((m) =>
    relative(SRC, resolve(dirname(join(SRC, file)), m[1]!)).replace(/\.js$/, ".ts"),
  );
}

describe("layering of src/", () => {
  const files = sourceFiles();

  it("puts every source file in a layer", () => {
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) expect(() => layerOf(file), file).not.toThrow();
  });

  it("has no import from a lower layer to a higher one", () => {
    const upward = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => layerOf(target) > layerOf(file))
        .map((target) => `src/${file} (layer ${layerOf(file)}) imports src/${target} (layer ${layerOf(target)})`),
    );
    expect(upward).toEqual([]);
  });

  it("keeps the webhook off the engines' internals", () => {
    const allowed = new Set(["engines/index.ts", "engines/types.ts"]);
    const internal = files
      .filter((f) => f.startsWith("admission/"))
      .flatMap((file) =>
        importsOf(file)
          .filter((t) => t.startsWith("engines/") && !allowed.has(t))
          .map((t) => `src/${file} → src/${t}`),
      );
    expect(internal).toEqual([]);
  });

  it("lets only the Rego bundle module touch opa-wasm", () => {
    const users = files.filter((f) => readFileSync(join(SRC, f), "utf8").includes("@open-policy-agent/opa-wasm"));
    expect(users).toEqual(["engines/rego-wasm.ts"]);
  });

  it("detects an upward import (the check itself can fail)", () => {
    expect(layerOf("reporters/sarif.ts")).toBeGreaterThan(layerOf("findings/identity.ts"));
    expect(importsOf("reporters/sarif.ts")).toContain("findings/identity.ts");
  });
});
