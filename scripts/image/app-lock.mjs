// Writes the package.json and package-lock.json of the image's /app from the repository's
// package-lock.json: the package's production dependencies at exactly the versions (and integrity
// hashes) the repository locks, so `npm ci --omit=dev` installs the same tree on every build.
//   node scripts/image/app-lock.mjs REPO_PACKAGE_LOCK OUT_DIR
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [lockPath, outDir] = process.argv.slice(2);
if (!lockPath || !outDir) throw new Error("usage: app-lock.mjs REPO_PACKAGE_LOCK OUT_DIR");
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
if (lock.lockfileVersion !== 3) throw new Error(`${lockPath}: lockfileVersion ${lock.lockfileVersion}, expected 3`);

const root = { name: "erlmcp-audit-image", version: "0.0.0", dependencies: lock.packages[""].dependencies ?? {} };
const packages = { "": root };
for (const [path, entry] of Object.entries(lock.packages)) if (path !== "" && !entry.dev) packages[path] = entry;

writeFileSync(join(outDir, "package.json"), `${JSON.stringify({ ...root, private: true }, null, 2)}\n`);
writeFileSync(
  join(outDir, "package-lock.json"),
  `${JSON.stringify({ name: root.name, version: root.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
);
