/**
 * Defects planted in a clean deployment, as plain YAML, a Helm chart and a Kustomize overlay: each is
 * reported under its control ID in SARIF, and the clean deployment yields no finding.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments, stringify } from "yaml";
import { audit } from "../src/audit.js";
import { PACKAGE_ROOT } from "../src/paths.js";
import { REPORTERS } from "../src/reporters/index.js";
import { tempTree } from "./helpers/tmp.js";

const MANIFESTS = join(PACKAGE_ROOT, "manifests");
/** The reference config: its waiver file and the waiver policy that file follows. */
const CONFIG = join(MANIFESTS, "erlmcp-audit.config.yaml");
const now = new Date("2026-11-26T00:00:00Z");

type Doc = Record<string, any>;
type Mutation = (docs: Doc[]) => Doc[];

function plainCopy(dir: string): void {
  for (const file of readdirSync(join(MANIFESTS, "standalone")).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")) {
    cpSync(join(MANIFESTS, "standalone", file), join(dir, file));
  }
}

function mutate(dir: string, mutation: Mutation): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  const docs = files.flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => ({ file: f, doc: d.toJS() as Doc })));
  const mutated = mutation(docs.map((d) => d.doc));
  for (const f of files) rmSync(join(dir, f));
  // YAML 1.1, as kubectl reads it: a string such as "Off" stays quoted instead of turning into a boolean.
  writeFileSync(join(dir, "all.yaml"), mutated.map((d) => stringify(d, { version: "1.1" })).join("---\n"));
}

const byKind = (docs: Doc[], kind: string, name?: string) => docs.find((d) => d.kind === kind && (!name || d.metadata.name === name))!;
const statefulSet = (docs: Doc[]) => byKind(docs, "StatefulSet");

const DEFECTS: Array<[control: string, mutation: Mutation]> = [
  [
    "net-default-deny",
    (docs) =>
      docs.filter((d) => !(d.kind === "NetworkPolicy" && JSON.stringify(d.spec.podSelector) === "{}" && !d.spec.ingress && !d.spec.egress)),
  ],
  [
    "iam-no-wildcards",
    (docs) => {
      byKind(docs, "Role").rules[0].verbs = ["*"];
      return docs;
    },
  ],
  [
    "sec-no-literal-credentials",
    (docs) => {
      statefulSet(docs).spec.template.spec.containers[0].env.push({ name: "ADMIN_PASSWORD", value: "hunter2" });
      return docs;
    },
  ],
  [
    "pod-no-host-access",
    (docs) => {
      statefulSet(docs).spec.template.spec.hostNetwork = true;
      return docs;
    },
  ],
  [
    "avl-anti-affinity",
    (docs) => {
      delete statefulSet(docs).spec.template.spec.affinity;
      return docs;
    },
  ],
];

async function sarifRuleIds(paths: string[], cwd: string): Promise<string[]> {
  const report = await audit(paths, { cwd, now, config: CONFIG });
  expect(report.inputErrors).toEqual([]);
  const sarif = JSON.parse(REPORTERS.sarif(report));
  return [...new Set<string>(sarif.runs[0].results.filter((r: any) => !r.suppressions).map((r: any) => r.ruleId))].sort();
}

describe("plain YAML", () => {
  it("the clean production deployment has no finding", async () => {
    const dir = tempTree({});
    plainCopy(dir);
    expect(await sarifRuleIds([dir], dir)).toEqual([]);
  });

  it.each(DEFECTS)("a planted %s defect is reported under its ID", async (control, mutation) => {
    const dir = tempTree({});
    plainCopy(dir);
    mutate(dir, mutation);
    expect(await sarifRuleIds([dir], dir)).toContain(control);
  });
});

describe("Helm chart", () => {
  it("reports a writable root filesystem planted in a template, in every values render", async () => {
    const dir = tempTree({});
    cpSync(join(MANIFESTS, "helm/erlmcp"), join(dir, "erlmcp"), { recursive: true });
    const pod = join(dir, "erlmcp/templates/_helpers.tpl");
    writeFileSync(pod, readFileSync(pod, "utf8").replaceAll("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"));
    const report = await audit([join(dir, "erlmcp")], { cwd: dir, now, config: CONFIG });
    expect(report.inputErrors).toEqual([]);
    const failing = report.findings.filter((f) => f.status === "fail" && f.controlId === "pod-readonly-rootfs");
    expect(new Set(failing.map((f) => f.unit))).toEqual(new Set(report.units.map((u) => u.id)));
    expect(failing[0]!.source.file).toMatch(/^erlmcp\/templates\//);
  });
});

describe("Kustomize overlay", () => {
  it("reports a privileged container patched into the base", async () => {
    const dir = tempTree({});
    const base = relative(dir, join(MANIFESTS, "kustomize/base"));
    writeFileSync(
      join(dir, "kustomization.yaml"),
      stringify({
        resources: [base],
        patches: [
          {
            target: { kind: "StatefulSet" },
            patch: stringify([{ op: "add", path: "/spec/template/spec/containers/0/securityContext/privileged", value: true }]),
          },
        ],
      }),
    );
    expect(await sarifRuleIds([dir], dir)).toContain("pod-no-host-access");
  });
});
