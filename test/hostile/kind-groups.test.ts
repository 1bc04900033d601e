/**
 * A kind is its name in its API group: a custom resource of another group that reuses a built-in kind's
 * name (`fake.example.com/v1` NetworkPolicy, served by a CRD anyone allowed to create CRDs can add) is
 * not that kind to the API server, the CNI or admission. Such a deny-all "NetworkPolicy" protects
 * nothing, and such a copy of a real object's name replaces nothing; a custom resource that runs pods is
 * still judged as a workload, whatever its group.
 */
import { describe, expect, it } from "vitest";
import type { AuditReport } from "../../src/report/types.js";
import { runCli } from "../helpers/cli.js";
import { deploymentYaml, PINNED_IMAGE, SURVIVOR_DEPLOYMENT, tempTree } from "../helpers/tmp.js";
import { expectVerdict } from "../helpers/audit-tree.js";

const DENY_ALL = (apiVersion: string) => `apiVersion: ${apiVersion}
kind: NetworkPolicy
metadata: {name: deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`;

async function audit(files: Record<string, string>, controls: string) {
  const run = await runCli([tempTree(files), "--controls", controls, "--no-config", "--format", "json"]);
  return { code: run.code, report: JSON.parse(run.stdout) as AuditReport };
}

const inShop = (report: AuditReport) =>
  report.findings
    .filter((f) => f.status === "fail" && (f.resource.namespace === "shop" || f.resource.name === "shop"))
    .map((f) => `${f.controlId} ${f.resource.kind}/${f.resource.name} ${f.messageId}`)
    .sort();

describe("a kind of another API group is not the built-in kind", () => {
  it.each([
    ["networking.k8s.io/v1", []],
    ["fake.example.com/v1", ["net-default-deny Namespace/shop namespaceWithoutDefaultDeny"]],
    ["v1", ["net-default-deny Namespace/shop namespaceWithoutDefaultDeny"]],
  ])("a deny-all NetworkPolicy of %s", async (apiVersion, expected) => {
    const verdict = await audit(
      { "np.yaml": DENY_ALL(apiVersion), "web.yaml": deploymentYaml("web", "shop"), "survivor.yaml": SURVIVOR_DEPLOYMENT },
      "net-default-deny",
    );
    expect(inShop(verdict.report)).toEqual(expected);
    expect(verdict.report.disagreements).toEqual([]);
  });

  it("does not let a custom resource of another group replace the real object of that name", async () => {
    // The real, egress-denying policy comes first; a later same-named object of another group replaces nothing.
    const verdict = await audit(
      {
        "a.yaml": DENY_ALL("networking.k8s.io/v1"),
        "b.yaml": DENY_ALL("fake.example.com/v1").replace("[Ingress, Egress]", "[Ingress]"),
        "web.yaml": deploymentYaml("web", "shop"),
      },
      "net-default-deny",
    );
    expect(inShop(verdict.report)).toEqual([]);
  });

  it("draws in the report's network model only what the CNI enforces: no foreign-group policy, no replaced copy", async () => {
    const narrowed = DENY_ALL("networking.k8s.io/v1")
      .replace("name: deny-all", "name: ingress-only")
      .replace("[Ingress, Egress]", "[Ingress]");
    const verdict = await audit(
      {
        // An egress deny of the same name that a later copy narrows to ingress (kubectl leaves the later one).
        "a.yaml": narrowed.replace("[Ingress]", "[Ingress, Egress]"),
        "b.yaml": narrowed,
        "c.yaml": DENY_ALL("fake.example.com/v1"),
        "web.yaml": deploymentYaml("web", "shop"),
      },
      "net-workload-isolated",
    );
    const [model] = Object.values(verdict.report.network);
    expect(model!.policies.map((p) => `${p.id} ${p.policyTypes.join(",")}`)).toEqual(["shop/ingress-only ingress"]);
    const web = model!.workloads.find((w) => w.id.endsWith("/web"))!;
    expect([web.ingress.isolated, web.egress.isolated]).toEqual([true, false]);
  });

  it("refuses, at its line, a custom resource named like a built-in kind that runs no pods when it carries a pod template", async () => {
    // Read as a NetworkPolicy it would be a deny-all (the namespace passes); read as a workload its pods must be judged.
    const fake = `${DENY_ALL("fake.example.com/v1").replace(
      "spec: {podSelector: {}, policyTypes: [Ingress, Egress]}",
      `spec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n  template:\n    metadata: {labels: {app: x}}\n    spec: {containers: [{name: x, image: "${PINNED_IMAGE}"}]}`,
    )}`;
    const run = await runCli([tempTree({ "np.yaml": fake, "web.yaml": deploymentYaml("web", "shop") }), "--no-config", "--format", "json"]);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(run.code).toBe(2);
    expect(report.inputErrors.map((e) => [e.code, e.file.split("/").pop(), e.line])).toEqual([["AMBIGUOUS_KIND", "np.yaml", 1]]);
    expect(report.inputErrors[0]!.message).toMatch(/fake\.example\.com\/v1 NetworkPolicy carries a pod template.*networking\.k8s\.io/);
    // The namespace is judged without it: no default deny.
    expect(inShop(report)).toContain("net-default-deny Namespace/shop namespaceWithoutDefaultDeny");
    // A custom resource reusing a workload kind's name is not ambiguous: it is the workload it runs.
    const workload = deploymentYaml("web", "shop").replace("apiVersion: apps/v1", "apiVersion: fake.example.com/v1");
    const other = await runCli([
      tempTree({ "web.yaml": workload, "survivor.yaml": SURVIVOR_DEPLOYMENT }),
      "--no-config",
      "--format",
      "json",
    ]);
    expect((JSON.parse(other.stdout) as AuditReport).inputErrors).toEqual([]);
  });

  it("still judges a privileged pod template in a custom resource that reuses a workload kind's name", async () => {
    const fake = deploymentYaml("web", "shop", [
      `containers: [{name: web, image: "${PINNED_IMAGE}", securityContext: {privileged: true}}]`,
    ]).replace("apiVersion: apps/v1", "apiVersion: fake.example.com/v1");
    const verdict = await audit({ "fake.yaml": fake, "survivor.yaml": SURVIVOR_DEPLOYMENT }, "pod-no-host-access");
    expectVerdict(verdict, (r) => inShop(r), ["pod-no-host-access Deployment/web privilegedContainer"]);
  });
});
