/**
 * A chart whose templates loop for minutes (two nested `range until 30000`: 9×10⁸ steps, ~30 s of helm) must
 * not hold the run: a render is stopped at ERLMCP_AUDIT_RENDER_TIMEOUT_MS (120 s by default), reported as a
 * render error naming the chart, and every other input is still audited.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_RENDER_TIMEOUT_MS, renderTimeoutMs } from "../../src/loaders/render.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { PRIVILEGED_POD, tempTree } from "../helpers/tmp.js";

const SLOW_TEMPLATE = `{{- range until 30000 }}{{- range until 30000 }}{{- end }}{{- end }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: slow
`;

describe("render timeout", () => {
  it("reads ERLMCP_AUDIT_RENDER_TIMEOUT_MS, falling back to 120 s for anything but a positive number", () => {
    expect(renderTimeoutMs({})).toBe(DEFAULT_RENDER_TIMEOUT_MS);
    expect(DEFAULT_RENDER_TIMEOUT_MS).toBe(120_000);
    expect(renderTimeoutMs({ ERLMCP_AUDIT_RENDER_TIMEOUT_MS: "2500" })).toBe(2500);
    for (const bad of ["0", "-1", "soon", ""])
      expect(renderTimeoutMs({ ERLMCP_AUDIT_RENDER_TIMEOUT_MS: bad })).toBe(DEFAULT_RENDER_TIMEOUT_MS);
  });

  it("stops a render that outlasts it, reports the chart, and audits the rest", () => {
    const root = tempTree({
      "slow/Chart.yaml": "apiVersion: v2\nname: slow\nversion: 0.1.0\n",
      "slow/templates/cm.yaml": SLOW_TEMPLATE,
      "plain/pod.yaml": PRIVILEGED_POD("bystander"),
    });
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      [join(PACKAGE_ROOT, "bin/erlmcp-audit.js"), "slow", "plain", "--no-config", "--format", "json"],
      {
        cwd: root,
        env: { ...process.env, ERLMCP_AUDIT_RENDER_TIMEOUT_MS: "1500" },
        timeout: 60_000,
        killSignal: "SIGKILL",
        encoding: "utf8",
      },
    );
    expect(run.signal).toBeNull();
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(run.status).toBe(2);
    const report = JSON.parse(run.stdout) as {
      inputErrors: Array<{ code: string; file: string; message: string }>;
      findings: Array<{ resource: { name: string } }>;
    };
    expect(report.inputErrors).toContainEqual(
      expect.objectContaining({
        code: "RENDER_FAILED",
        file: "slow@values.yaml",
        message: "helm did not finish within 1.5 s and was stopped",
      }),
    );
    expect(report.findings.some((f) => f.resource.name === "bystander")).toBe(true);
  });
});
