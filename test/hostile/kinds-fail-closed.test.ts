/**
 * Kinds fail closed (issue 12): a privileged container behind any pod template, whatever the kind that
 * carries it (every kind of the `workloads` alias, ReplicationController and PodTemplate included, and
 * a custom resource listed nowhere at every generic path of policies/_kinds.yaml), sits beside a good
 * manifest: the run exits 1 with the finding on it, and the good manifest is still audited. An object
 * no control evaluates is listed in `unevaluatedKinds` and in the text summary.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { KINDS } from "../../src/catalog/kinds.js";
import type { AuditReport } from "../../src/report/types.js";
import { runCli } from "../helpers/cli.js";
import { SURVIVOR_DEPLOYMENT, tempTree } from "../helpers/tmp.js";

const PRIVILEGED_TEMPLATE = {
  metadata: { labels: { app: "planted" } },
  spec: { containers: [{ name: "planted", image: "example/planted:1.0", securityContext: { privileged: true } }] },
};

/** Required fields besides the pod template, so that the object is one the API server accepts. */
const REQUIRED_SPEC: Record<string, Record<string, unknown>> = {
  CronJob: { schedule: "0 * * * *" },
  ...Object.fromEntries(
    ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout"].map((k) => [k, { selector: { matchLabels: { app: "planted" } } }]),
  ),
};

/** An object of this kind whose pod template (at `path`, [] = the object itself) holds a privileged container. */
function planted(apiVersion: string, kind: string, path: readonly string[]): Record<string, unknown> {
  const object: Record<string, unknown> = { apiVersion, kind, metadata: { name: "planted", namespace: "erlmcp" } };
  if (REQUIRED_SPEC[kind]) object.spec = REQUIRED_SPEC[kind];
  if (!path.length) return { ...object, ...PRIVILEGED_TEMPLATE, metadata: object.metadata };
  let at = object;
  for (const key of path.slice(0, -1)) at = (at[key] = { ...(at[key] as object) }) as Record<string, unknown>;
  at[path.at(-1)!] = PRIVILEGED_TEMPLATE;
  return object;
}

const API_VERSION: Record<string, string> = { Rollout: "argoproj.io/v1alpha1", CronJob: "batch/v1", Job: "batch/v1" };
const apiVersionOf = (kind: string) => API_VERSION[kind] ?? (KINDS.groups.get(kind)?.[0] ? `${KINDS.groups.get(kind)![0]}/v1` : "v1");

const CASES: Array<[string, Record<string, unknown>]> = [
  ...[...KINDS.podTemplates].map(([kind, path]): [string, Record<string, unknown>] => [
    `${kind} (${path.join(".") || "the object itself"})`,
    planted(apiVersionOf(kind), kind, path),
  ]),
  ...KINDS.genericPodTemplate.paths.map((path): [string, Record<string, unknown>] => [
    `an unknown custom resource FooRunner (${path.join(".")})`,
    planted("example.com/v1", "FooRunner", path),
  ]),
];

async function audit(paths: string[], controls = "pod-no-host-access") {
  const r = await runCli([...paths, "--controls", controls, "--no-config", "--format", "json"]);
  return { ...r, report: JSON.parse(r.stdout) as AuditReport };
}

describe("kinds fail closed: a privileged pod template is found whatever kind carries it", () => {
  it("covers ReplicationController, PodTemplate and every generic path", () => {
    expect(CASES.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "ReplicationController (spec.template)",
        "PodTemplate (template)",
        "an unknown custom resource FooRunner (spec.template)",
      ]),
    );
  });

  it.each(CASES)("%s: exit 1, the finding on it, the good manifest audited", async (_name, object) => {
    const root = tempTree({ "good/deployment.yaml": SURVIVOR_DEPLOYMENT, "case/planted.yaml": stringify(object) });
    const { code, report, stderr } = await audit([join(root, "case"), join(root, "good")]);
    expect(report.inputErrors).toEqual([]);
    expect(code, stderr).toBe(1);
    expect(report.findings.filter((f) => f.status === "fail").map((f) => [f.resource.kind, f.resource.name, f.messageId])).toEqual([
      [object.kind, "planted", "privilegedContainer"],
    ]);
    expect(report.units.flatMap((u) => u.resources.map((r) => r.name))).toContain("survivor");
    expect(report.units.flatMap((u) => u.unevaluatedKinds)).toEqual([]);
  });

  it("a custom resource carrying a pod template is seen by set-scope controls too", async () => {
    const root = tempTree({ "case/planted.yaml": stringify(planted("example.com/v1", "FooRunner", ["spec", "template"])) });
    const { code, report } = await audit([join(root, "case")], "net-workload-isolated");
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.resource.kind, f.messageId]).sort()).toEqual([
      ["FooRunner", "egressNotIsolated"],
      ["FooRunner", "ingressNotIsolated"],
    ]);
  });

  it("a custom resource with no pod template is listed as not evaluated, in the report and the text summary", async () => {
    const widget = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", namespace: "erlmcp" },
      // Not a pod template: no containers under spec.template.spec.
      spec: { template: { privileged: true }, securityContext: { privileged: true } },
    };
    const root = tempTree({ "good/deployment.yaml": SURVIVOR_DEPLOYMENT, "case/widget.yaml": stringify(widget) });
    const { code, report } = await audit([join(root, "case"), join(root, "good")]);
    expect(code).toBe(0);
    expect(report.units.map((u) => [u.id.split("/").pop(), u.unevaluatedKinds])).toEqual([
      ["case", ["Widget"]],
      ["good", []],
    ]);
    const text = await runCli([join(root, "case"), "--controls", "pod-no-host-access", "--no-config", "--verbose"]);
    expect(text.stdout).toContain("not evaluated (no control inspects these kinds): Widget");
  });

  it("a kind is listed as not evaluated when any of its objects is, even beside one that carries a pod template", async () => {
    const bare = { apiVersion: "example.com/v1", kind: "FooRunner", metadata: { name: "bare", namespace: "erlmcp" }, spec: { size: 1 } };
    const root = tempTree({
      "case/planted.yaml": stringify(planted("example.com/v1", "FooRunner", ["spec", "template"])),
      "case/bare.yaml": stringify(bare),
    });
    const { code, report } = await audit([join(root, "case")]);
    expect(code).toBe(1);
    expect(report.findings.filter((f) => f.status === "fail").map((f) => f.resource.name)).toEqual(["planted"]);
    expect(report.units.flatMap((u) => u.unevaluatedKinds)).toEqual(["FooRunner"]);
  });
});
