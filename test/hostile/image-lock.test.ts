/**
 * scripts/build-image.sh builds the webhook image only from the pinned runtime: a Node package whose
 * integrity differs from scripts/image/runtime.lock.json, or a Debian package whose SHA-256 differs,
 * stops the build with a message naming the lock, before anything is assembled.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const REPO = join(__dirname, "../..");
const HAS_BUILDAH = spawnSync("buildah", ["--version"]).status === 0;

interface RuntimeLock {
  node: { integrity: string };
  debian: { sha256: string }[];
}

let tree: string;

/** A copy of the build script and its inputs whose runtime lock the test edits. */
function treeWithLock(edit: (lock: RuntimeLock) => void): string {
  const file = join(tree, "scripts/image/runtime.lock.json");
  const lock = JSON.parse(readFileSync(file, "utf8")) as RuntimeLock;
  edit(lock);
  writeFileSync(file, JSON.stringify(lock, null, 2));
  return join(tree, "scripts/build-image.sh");
}

const build = (script: string) =>
  spawnSync("bash", [script, join(tree, "out.tar")], {
    encoding: "utf8",
    // An empty cache: the Debian package is fetched and checked, not taken from an earlier build.
    env: { ...process.env, XDG_CACHE_HOME: join(tree, "cache") },
  });

describe.skipIf(!HAS_BUILDAH)("build-image.sh with a runtime that is not the pinned one", () => {
  beforeEach(() => {
    tree = mkdtempSync(join(tmpdir(), "erlmcp-audit-image-lock-"));
    cpSync(join(REPO, "scripts/build-image.sh"), join(tree, "scripts/build-image.sh"));
    cpSync(join(REPO, "scripts/image"), join(tree, "scripts/image"), { recursive: true });
    cpSync(join(REPO, "package.json"), join(tree, "package.json"));
  });
  afterEach(() => rmSync(tree, { recursive: true, force: true }));

  it("refuses a node package whose integrity differs from the lock", () => {
    const r = build(treeWithLock((lock) => (lock.node.integrity = `sha512-${Buffer.alloc(64).toString("base64")}`)));
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/build-image: node@[\d.]+: integrity sha512-\S+ differs from sha512-A{20}/);
    expect(r.stderr).toContain("runtime.lock.json");
  }, 120_000);

  it("refuses a Debian package whose SHA-256 differs from the lock", () => {
    const r = build(treeWithLock((lock) => (lock.debian[0]!.sha256 = "0".repeat(64))));
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/build-image: \S+libc6_\S+\.deb: SHA-256 differs from \S+runtime\.lock\.json/);
  }, 300_000);
});
