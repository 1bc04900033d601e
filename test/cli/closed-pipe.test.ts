import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "../..");
const BIN = join(ROOT, "bin/erlmcp-audit.js");

/** Runs the built CLI into `head -n 1` (run `npm run build` first); exit code is the CLI's (pipefail). */
function intoHead(args: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("bash", ["-c", `set -o pipefail; node ${BIN} ${args} | head -n 1`], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("a closed stdout pipe", () => {
  it("ends `controls --json | head` quietly, exit 0", () => {
    expect(existsSync(join(ROOT, "dist/cli/main.js")), "run `npm run build` first").toBe(true);
    const r = intoHead("controls --json");
    expect(r.stdout).toBe("[\n");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
