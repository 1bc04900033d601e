/**
 * `--cache` trusts an entry whose digest and key check out, and anyone can compute both: a cache folder
 * another user can write to would let them plant a passing result for a privileged workload. The folder
 * (and every folder above it, unless sticky like /tmp) must be this user's and writable by no one else,
 * and each entry file too; otherwise the cache is not used, loudly, and the run audits its input afresh.
 */
import { chmodSync, chownSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cacheFolderProblem, cacheKey, openCache } from "../../src/cache/store.js";
import type { AuditReport } from "../../src/report/types.js";
import type { K8sObject } from "../../src/types.js";
import { runCli } from "../helpers/cli.js";
import { deploymentYaml, PINNED_IMAGE, tempTree } from "../helpers/tmp.js";

const isRoot = process.getuid?.() === 0;
const posix = process.getuid !== undefined;

const entryFiles = (dir: string, namespace: string): string[] =>
  readdirSync(join(dir, namespace), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));

const PRIVILEGED = deploymentYaml("web", "shop", [
  `containers: [{name: web, image: "${PINNED_IMAGE}", securityContext: {privileged: true}}]`,
]);

async function stored(dir: string, value: unknown): Promise<string> {
  const key = cacheKey("entry");
  const cache = openCache(dir);
  cache.put("unit", key, value);
  await cache.flush();
  return key;
}

describe.runIf(posix)("a cache other users can write to is not trusted", () => {
  it("refuses a folder writable by others or owned by another user, and one under a non-sticky folder others can write", () => {
    const root = tempTree({});
    const open = join(root, "open");
    mkdirSync(open, { mode: 0o700 });
    chmodSync(open, 0o777);
    expect(cacheFolderProblem(open)).toMatch(/open is writable by other users \(mode 0777\)/);
    chmodSync(open, 0o1777);
    expect(cacheFolderProblem(open), "sticky does not make the cache folder itself private").toMatch(/writable by other users/);
    chmodSync(open, 0o700);
    expect(cacheFolderProblem(open)).toBeUndefined();
    expect(cacheFolderProblem(join(open, "not", "made", "yet"))).toBeUndefined();

    const shared = join(root, "shared");
    mkdirSync(join(shared, "cache"), { recursive: true, mode: 0o700 });
    chmodSync(shared, 0o777);
    expect(cacheFolderProblem(join(shared, "cache"))).toMatch(/shared is writable by other users/);
    expect(cacheFolderProblem(join(shared, "cache", "later"))).toMatch(/shared is writable by other users/);
    chmodSync(shared, 0o1777);
    expect(cacheFolderProblem(join(shared, "cache")), "a sticky folder above (like /tmp) is fine").toBeUndefined();

    const file = join(root, "file");
    writeFileSync(file, "");
    expect(cacheFolderProblem(file)).toMatch(/is not a folder/);
  });

  it.runIf(isRoot)("refuses a folder that belongs to another user", () => {
    const dir = join(tempTree({}), "theirs");
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 4242, 4242);
    expect(cacheFolderProblem(dir)).toMatch(/belongs to user 4242/);
  });

  it("uses nothing from a folder others can write to, writes nothing there, and says so once", async () => {
    const dir = join(tempTree({}), "cache");
    const key = await stored(dir, { findings: [] });
    chmodSync(dir, 0o777);
    const warnings: string[] = [];
    const cache = openCache(dir, (m) => warnings.push(m));
    expect(cache.get("unit", key)).toBeUndefined();
    expect(cache.get("unit", key)).toBeUndefined();
    cache.put("unit", cacheKey("new"), { findings: [] });
    await cache.flush();
    expect(entryFiles(dir, "unit")).toHaveLength(1);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^the cache in .* is not used: .*cache is writable by other users \(mode 0777\) \(another user could plant results there\)$/,
      ),
    ]);
    expect(cache.stats()).toEqual({ unit: { hits: 0, misses: 2 } });
  });

  it("ignores and removes an entry file others can write to, or that belongs to another user", async () => {
    const dir = join(tempTree({}), "cache");
    const key = await stored(dir, { findings: [] });
    const [file] = entryFiles(dir, "unit");
    chmodSync(file!, 0o666);
    const warnings: string[] = [];
    expect(openCache(dir, (m) => warnings.push(m)).get("unit", key)).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringMatching(/cache entry .* is writable by other users \(mode 0666\): not trusted, ignored and removed/),
    ]);
    expect(entryFiles(dir, "unit")).toEqual([]);
    if (isRoot) {
      const again = await stored(dir, { findings: [] });
      chownSync(entryFiles(dir, "unit")[0]!, 4242, 4242);
      const seen: string[] = [];
      expect(openCache(dir, (m) => seen.push(m)).get("unit", again)).toBeUndefined();
      expect(seen).toEqual([expect.stringMatching(/\.bin belongs to user 4242, not to this user \(0\): not trusted/)]);
    }
  });

  it("writes entries only this user can read and folders only this user can enter", async () => {
    const dir = join(tempTree({}), "a", "cache");
    await stored(dir, { findings: [] });
    expect(statSync(entryFiles(dir, "unit")[0]!).mode & 0o777).toBe(0o600);
    for (const folder of [join(dir, ".."), dir, join(dir, "unit")]) expect(statSync(folder).mode & 0o777).toBe(0o700);
  });

  it("reports a privileged Deployment whose planted passing result sits in a cache folder others can write to", async () => {
    const root = tempTree({ "in/web.yaml": PRIVILEGED });
    const cacheDir = join(root, "cache");
    const args = [join(root, "in"), "--controls", "pod-restricted-context", "--no-config", "--format", "json", "--cache-dir", cacheDir];
    const failing = (stdout: string) =>
      (JSON.parse(stdout) as AuditReport).findings.filter((f) => f.status === "fail").map((f) => `${f.resource.kind}/${f.resource.name}`);

    const first = await runCli(args);
    expect(first.code).toBe(1);
    expect(failing(first.stdout)).toContain("Deployment/web");
    // The attacker's entry: the unit's own key (derivable from the inputs), a valid digest, no findings.
    const [unitFile] = entryFiles(cacheDir, "unit");
    const key = unitFile!
      .split("/")
      .pop()!
      .replace(/\.bin$/, "");
    const planter = openCache(cacheDir);
    const genuine = planter.get<{ findings: unknown[] }>("unit", key)!;
    planter.put("unit", key, { ...genuine, findings: [] });
    await planter.flush();
    const trusted = await runCli(args);
    expect(trusted.code, "in a private folder the planted entry is read (the attack this test is about)").toBe(0);

    chmodSync(cacheDir, 0o777);
    const run = await runCli(args);
    expect(run.stderr).toMatch(/warning: the cache in .* is not used: .* is writable by other users/);
    expect(failing(run.stdout)).toContain("Deployment/web");
    expect(run.code).toBe(1);
  });

  it("reports a privileged Deployment whose parsed objects were planted, without the flag, in an entry file others can write to", async () => {
    const root = tempTree({
      "in/web.yaml": PRIVILEGED,
      "in/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\n",
    });
    const cacheDir = join(root, "cache");
    const args = [join(root, "in"), "--controls", "pod-no-host-access", "--no-config", "--format", "json", "--cache-dir", cacheDir];
    const failing = (stdout: string) =>
      (JSON.parse(stdout) as AuditReport).findings.filter((f) => f.status === "fail").map((f) => `${f.resource.kind}/${f.resource.name}`);
    expect(failing((await runCli(args)).stdout)).toEqual(["Deployment/web"]);

    // The attacker rewrites the objects part of the Deployment file's parse entry (its key and digest recomputed)
    // and drops the unit's entries, so that the unit is evaluated again on the planted objects.
    const planter = openCache(cacheDir);
    const keyOf = (file: string) =>
      file
        .split("/")
        .pop()!
        .replace(/\.bin$/, "");
    const planted = entryFiles(cacheDir, "parse").find((file) => {
      const entry = planter.getSplit<unknown, K8sObject[]>("parse", keyOf(file));
      if (entry?.rest()[0]?.kind !== "Deployment") return false;
      const objects = JSON.parse(JSON.stringify(entry.rest()).replace('"privileged":true', '"privileged":false')) as K8sObject[];
      planter.putSplit("parse", keyOf(file), entry.head, objects);
      return true;
    });
    expect(planted).toBeDefined();
    await planter.flush();
    for (const namespace of ["unit", "network", "unevaluated-kinds"]) rmSync(join(cacheDir, namespace), { recursive: true, force: true });
    const trusted = await runCli(args);
    expect(trusted.code, "from a private entry file the planted objects are read (the attack this test is about)").toBe(0);

    for (const namespace of ["unit", "network", "unevaluated-kinds"]) rmSync(join(cacheDir, namespace), { recursive: true, force: true });
    chmodSync(planted!, 0o666);
    const run = await runCli(args);
    expect(run.stderr).toMatch(/cache entry .* is writable by other users \(mode 0666\): not trusted, ignored and removed/);
    expect(failing(run.stdout)).toEqual(["Deployment/web"]);
    expect(run.code).toBe(1);
  });
});
