import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";

export const PACKAGE_ROOT = join(__dirname, "../..");
const BIN = join(PACKAGE_ROOT, "bin/erlmcp-audit.js");

/** Runs the built CLI (`npm run build` first) in `cwd`, as a user would; ERLMCP_AUDIT_ENGINES_DIR and PATH are passed on. */
export function runBuiltCli(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  expect(existsSync(join(PACKAGE_ROOT, "dist/cli/main.js")), "run `npm run build` first").toBe(true);
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", env: { ...process.env, CI: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
