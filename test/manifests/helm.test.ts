import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findTool } from "../../src/tools/find.js";
import { CHART, helmLint, helmTemplate, KUBE_VERSION, parseDocs } from "./render.js";

const VALUES_FILES = ["values.yaml", "values-production.yaml", "values-staging.yaml", "values-development.yaml"];
const BAD_VALUES = join(import.meta.dirname, "fixtures", "bad-values.yaml");

function helmFails(args: string[]): string {
  try {
    execFileSync(findTool("helm"), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  throw new Error(`helm ${args.join(" ")} succeeded, expected a failure`);
}

describe("helm chart", () => {
  it.each(VALUES_FILES)("lint --strict is clean with %s", (file) => {
    const out = helmLint(file);
    expect(out).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(out).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it.each(VALUES_FILES)("renders with %s, every object namespaced explicitly", (file) => {
    const docs = parseDocs(helmTemplate({ valuesFiles: [file] }));
    const clusterScoped = new Set(["Namespace", "PriorityClass"]);
    for (const d of docs) if (!clusterScoped.has(d.kind)) expect(d.metadata.namespace, `${d.kind}/${d.metadata.name}`).toBe("erlmcp");
  });

  it.each([
    ["blueGreen", "erlmcp-bluegreen"],
    ["canary", "erlmcp-canary"],
  ])("renders strategy %s", (strategy, namespace) => {
    const kinds = parseDocs(helmTemplate({ valuesFiles: ["values-production.yaml"], namespace, set: { strategy } })).map((d) => d.kind);
    expect(kinds).toContain(strategy === "canary" ? "Rollout" : "StatefulSet");
  });

  it("values.schema.json rejects a bad values file, naming each violation", () => {
    const err = helmFails(["template", "erlmcp", CHART, "-f", BAD_VALUES, "--kube-version", KUBE_VERSION]);
    for (const path of ["/cluster/replicaCount", "/image/digest", "/strategy", "/backup/schedule", "/networkPolicy/apiServerCIDRs/0", "/podSecurity/runAsUser"]) {
      expect(err).toContain(`'${path}'`);
    }
    expect(err).toMatch(/unknownTopLevelKey/);
  });

  it("rejects autoscaling below the quorum-safe replica count", () => {
    const err = helmFails(["template", "erlmcp", CHART, "--set", "autoscaling.minReplicas=5", "--kube-version", KUBE_VERSION]);
    expect(err).toMatch(/autoscaling.minReplicas must be >= cluster.replicaCount/);
  });
});
