/**
 * Kyverno builds from the wrapper module committed in scripts/engines/kyverno-wrapper: its go.mod
 * requires the pinned kyverno and its go.sum covers every module of the build (no `go mod tidy`).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TOOL_PINS } from "../../src/tools/find.js";

const WRAPPER = join(__dirname, "../../scripts/engines/kyverno-wrapper");
const GO = ["/usr/local/go/bin/go", "/usr/bin/go"].find((g) => spawnSync(g, ["version"]).status === 0) ?? "go";

describe("the committed kyverno wrapper module", () => {
  it("requires the pinned kyverno", () => {
    expect(readFileSync(join(WRAPPER, "go.mod"), "utf8")).toContain(`\nrequire github.com/kyverno/kyverno ${TOOL_PINS.kyverno}\n`);
  });

  it("loads every package of the build with -mod=readonly: go.sum is complete, nothing to tidy", () => {
    const copy = mkdtempSync(join(tmpdir(), "erlmcp-audit-kyverno-"));
    cpSync(WRAPPER, copy, { recursive: true });
    const r = spawnSync(GO, ["list", "-deps", "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno"], {
      cwd: copy,
      encoding: "utf8",
      env: { ...process.env, GOFLAGS: "-mod=readonly", GOTOOLCHAIN: "local" },
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno");
    // The copy's go.mod and go.sum were not rewritten.
    expect(readFileSync(join(copy, "go.sum"), "utf8")).toBe(readFileSync(join(WRAPPER, "go.sum"), "utf8"));
  }, 120_000);
});
