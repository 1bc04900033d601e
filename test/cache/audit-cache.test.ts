import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { audit, type AuditOptions } from "../../src/audit.js";
import { POLICIES_DIR } from "../../src/paths.js";
import { CONFIGMAP, EDGE_SERVICE, EDGE_WAIVER, tempTree, WILDCARD_ROLE } from "../helpers/tmp.js";

const now = new Date("2026-11-26T00:00:00Z");
const entries = (dir: string, namespace: string): string[] => {
  try {
    return readdirSync(join(dir, namespace), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".bin"))
      .sort();
  } catch {
    return [];
  }
};

/** A tree with a config, its waiver file, three manifests and a cache folder. */
function fixture(): {
  root: string;
  cacheDir: string;
  run: (options?: AuditOptions) => Promise<string>;
  fresh: (options?: AuditOptions) => Promise<string>;
} {
  const root = tempTree({
    "in/svc.yaml": EDGE_SERVICE("LoadBalancer"),
    "in/role.yaml": WILDCARD_ROLE,
    "in/cm.yaml": CONFIGMAP("settings"),
    "erlmcp-audit.config.yaml": "waivers: [w.yaml]\n",
    "w.yaml": EDGE_WAIVER("2026-12-31"),
  });
  const cacheDir = join(root, ".cache");
  const base = { cwd: root, now, config: "erlmcp-audit.config.yaml" } satisfies AuditOptions;
  return {
    root,
    cacheDir,
    run: async (options = {}) => JSON.stringify(await audit(["in"], { ...base, ...options, cache: { dir: cacheDir } })),
    fresh: async (options = {}) => JSON.stringify(await audit(["in"], { ...base, ...options })),
  };
}

describe("--cache", () => {
  it("gives the report of an uncached run, from the cache the second time", async () => {
    const { cacheDir, run, fresh } = fixture();
    const first = await run();
    expect(entries(cacheDir, "parse")).toHaveLength(3);
    expect(entries(cacheDir, "unit")).toHaveLength(1);
    expect(entries(cacheDir, "network")).toHaveLength(1);
    const bytes = (namespace: string) => entries(cacheDir, namespace).map((f) => readFileSync(join(cacheDir, namespace, f)));
    const stored = { unit: bytes("unit"), network: bytes("network") };
    expect(await run()).toBe(first);
    expect(first).toBe(await fresh());
    // Nothing was evaluated (or modelled) again: the entries were read, not rewritten.
    expect({ unit: bytes("unit"), network: bytes("network") }).toEqual(stored);
  });

  it("loads the policy bundle only to evaluate a unit: a run the cache serves never reads policy.wasm", async () => {
    const { run, fresh } = fixture();
    const dist = mkdtempSync(join(tmpdir(), "erlmcp-audit-dist-"));
    for (const file of ["manifest.json", "policy.wasm"]) copyFileSync(join(POLICIES_DIR, "dist", file), join(dist, file));
    const previous = process.env.ERLMCP_AUDIT_POLICY_DIST;
    process.env.ERLMCP_AUDIT_POLICY_DIST = dist;
    try {
      const first = await run();
      expect(first).toBe(await fresh());
      rmSync(join(dist, "policy.wasm"));
      expect(await run()).toBe(first);
      // A unit the cache does not hold (another selection of controls) needs the bundle, and fails without it.
      await expect(run({ controls: ["net-external-exposure"] })).rejects.toThrow(/policy\.wasm/);
    } finally {
      if (previous === undefined) delete process.env.ERLMCP_AUDIT_POLICY_DIST;
      else process.env.ERLMCP_AUDIT_POLICY_DIST = previous;
    }
  });

  it("re-parses only the changed file, and evaluates its unit again (input bytes)", async () => {
    const { root, cacheDir, run, fresh } = fixture();
    const before = await run();
    const parsed = entries(cacheDir, "parse");
    writeFileSync(join(root, "in/svc.yaml"), EDGE_SERVICE("ClusterIP"));
    const after = await run();
    expect(after).not.toBe(before);
    expect(after).toBe(await fresh());
    const added = entries(cacheDir, "parse").filter((e) => !parsed.includes(e));
    expect(added).toHaveLength(1);
    expect(entries(cacheDir, "unit")).toHaveLength(2);
    expect(entries(cacheDir, "network")).toHaveLength(2);
  });

  it("a comment that moves a field's line moves its finding's location", async () => {
    const { root, run, fresh } = fixture();
    const before = await run();
    writeFileSync(join(root, "in/role.yaml"), WILDCARD_ROLE.replace("rules:", "# a comment\nrules:"));
    const after = await run();
    expect(after).not.toBe(before);
    expect(after).toBe(await fresh());
  });

  it("is keyed by the config's bytes", async () => {
    const { root, run, fresh } = fixture();
    const before = await run();
    writeFileSync(join(root, "erlmcp-audit.config.yaml"), "waivers: [w.yaml]\ncontrols:\n  iam-no-wildcards: {severity: low}\n");
    const after = await run();
    expect(after).not.toBe(before);
    expect(after).toBe(await fresh());
  });

  it("is keyed by the waivers' bytes", async () => {
    const { root, run, fresh } = fixture();
    const before = await run();
    writeFileSync(join(root, "w.yaml"), EDGE_WAIVER("2026-11-01"));
    const after = await run();
    expect(after).not.toBe(before);
    expect(after).toBe(await fresh());
  });

  it.each<[string, AuditOptions]>([
    ["profile", { profile: "development" }],
    ["controls", { controls: ["iam-*"] }],
    ["skipped controls", { skipControls: ["net-external-exposure"] }],
    ["engines", { engines: ["typescript"] }],
    ["disallowed waivers", { disallowWaivers: true }],
  ])("is keyed by the %s option", async (_name, options) => {
    const { run, fresh } = fixture();
    const before = await run();
    const after = await run(options);
    expect(after).not.toBe(before);
    expect(after).toBe(await fresh(options));
    expect(await run()).toBe(before);
  });

  it("judges waivers by labels on objects it read from the cache, used or not", async () => {
    const { root, run, fresh } = fixture();
    const byLabels = (id: string, labels: string) =>
      EDGE_WAIVER("2026-12-31")
        .replace("id: W1", `id: ${id}`)
        .replace("match: {kind: Service, namespace: erlmcp, name: edge}", `match: {kind: Service, labels: {${labels}}}`);
    const used = byLabels("W1", "app.kubernetes.io/name: erlmcp");
    const unused = byLabels("W2", "app.kubernetes.io/name: other").replace(/^apiVersion[^]*?waivers:\n/, "");
    writeFileSync(join(root, "w.yaml"), used + unused);
    const first = await run();
    expect(first).toBe(await fresh());
    const report = JSON.parse(await run()) as { waivers: Array<{ id: string; matched: number; unused?: { reason: string } }> };
    expect(JSON.stringify(report)).toBe(first);
    expect(report.waivers.map((w) => [w.id, w.matched, w.unused?.reason])).toEqual([
      ["W1", 1, undefined],
      ["W2", 0, "noObject"],
    ]);
  });

  it("ignores corrupt entries with a warning and stores them again", async () => {
    const { cacheDir, run, fresh } = fixture();
    await run();
    const all = [
      ...entries(cacheDir, "parse").map((f) => join(cacheDir, "parse", f)),
      ...entries(cacheDir, "unit").map((f) => join(cacheDir, "unit", f)),
    ];
    for (const file of all) {
      const data = readFileSync(file);
      data.writeUInt8(data.readUInt8(data.length - 1) ^ 0xff, data.length - 1);
      writeFileSync(file, data);
    }
    const warnings: string[] = [];
    const root = join(cacheDir, "..");
    const report = JSON.stringify(
      await audit(["in"], {
        cwd: root,
        now,
        config: "erlmcp-audit.config.yaml",
        cache: { dir: cacheDir, onWarning: (m) => warnings.push(m) },
      }),
    );
    expect(report).toBe(await fresh());
    expect(warnings).toHaveLength(all.length);
    expect(warnings.every((w) => /is corrupt: ignored/.test(w))).toBe(true);
    expect(await run()).toBe(report);
  });
});
