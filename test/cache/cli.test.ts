import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, tempTree, WILDCARD_ROLE } from "../helpers/tmp.js";

const binFiles = (dir: string) =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".bin"))
    .map((f) => join(dir, f));

describe("erlmcp-audit --cache-dir", () => {
  it("stores entries there, gives the same report and exit code again, and warns about a corrupt entry", async () => {
    const root = tempTree({ "in/role.yaml": WILDCARD_ROLE, "in/cm.yaml": CONFIGMAP("settings") });
    const cacheDir = join(root, "cache");
    const args = [join(root, "in"), "--no-config", "--format", "json", "--cache-dir", cacheDir];
    const withoutDate = (s: string) => s.replace(/"generatedAt": "[^"]*"/, "");
    const uncached = await runCli([join(root, "in"), "--no-config", "--format", "json"]);
    const first = await runCli(args);
    expect(first.code).toBe(1);
    expect(binFiles(cacheDir).length).toBeGreaterThanOrEqual(3);
    for (const file of binFiles(cacheDir)) writeFileSync(file, readFileSync(file).subarray(0, 40));
    const second = await runCli(args);
    expect(second.code).toBe(first.code);
    expect(withoutDate(second.stdout)).toBe(withoutDate(uncached.stdout));
    expect(second.stderr).toMatch(/^erlmcp-audit: warning: cache entry .* is corrupt: ignored and removed$/m);
    const third = await runCli(args);
    expect(third.stderr).not.toMatch(/warning/);
    expect(withoutDate(third.stdout)).toBe(withoutDate(uncached.stdout));
  });
});
