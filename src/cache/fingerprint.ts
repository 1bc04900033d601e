/** What identifies the tool's own code and data in a cache key: a release version alone misses local edits and rebuilds. */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { POLICIES_DIR } from "../paths.js";
import { packageVersion } from "../version.js";

let memo: string | undefined;

function hashTree(hash: ReturnType<typeof createHash>, root: string, byIndex: ReadonlySet<string>): void {
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && byIndex.has(path) && existsSync(join(path, "index.json"))) {
        const index = join(path, "index.json");
        hash.update(`${relative(root, index)}\u0000`);
        hash.update(readFileSync(index));
      } else if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const data = readFileSync(path);
        hash.update(`${relative(root, path)}\u0000${data.length}\u0000`);
        hash.update(data);
      }
    }
  };
  walk(root);
}

/**
 * SHA-256 of `version` and of every file (path and bytes) under each of `roots`; a folder of `byIndex` that
 * holds an index.json is read through that file alone.
 */
export function codeFingerprint(version: string, roots: readonly string[], byIndex: readonly string[] = []): string {
  const hash = createHash("sha256");
  hash.update(version);
  const indexed = new Set(byIndex);
  for (const root of roots) {
    hash.update(`\u0000${root.length}`);
    hashTree(hash, root, indexed);
  }
  return hash.digest("hex");
}

/**
 * SHA-256 of the package version, Node's V8 version (the cache's serialization format), the `yaml`
 * version, and every file of the running code (src/ or dist/) and of policies/: any change to the
 * tool, its controls or their compiled bundle gives new keys. Computed once per process.
 */
export function toolFingerprint(): string {
  if (memo) return memo;
  const yamlVersion = (createRequire(import.meta.url)("yaml/package.json") as { version: string }).version;
  const codeDir = dirname(dirname(fileURLToPath(import.meta.url)));
  // dist/schemas (scripts/bundle-schemas.ts) by its index: the bundles are built from the schema packages
  // whose versions it records (node_modules is not hashed either); hashing their 9 MB cost a cached run 25 ms.
  memo = codeFingerprint(
    JSON.stringify([packageVersion(), process.versions.v8, yamlVersion]),
    [codeDir, POLICIES_DIR],
    [join(codeDir, "schemas")],
  );
  return memo;
}
