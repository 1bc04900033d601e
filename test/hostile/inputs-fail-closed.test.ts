/**
 * Inputs fail closed: a privileged container planted where the loader used to look away (a List in a
 * List, a dot-folder, dist/, coverage/, a file named like our config) is audited and fails the run; a
 * symbolic link to a folder, which kubectl apply -R -f does not follow, is a manifest set of its own; a
 * path that is not audited (excluded, not a manifest, version control) is listed with its reason in the
 * JSON, text and markdown reports and in the evidence. The good manifest beside it is always audited.
 */
import { spawnSync } from "node:child_process";
import { symlinkSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { audit as runAudit } from "../../src/audit.js";
import { renderEvidencePackage } from "../../src/evidence/index.js";
import type { AuditReport } from "../../src/report/types.js";
import type { NotAuditedFile } from "../../src/types.js";
import { runCli } from "../helpers/cli.js";
import { CONFIGMAP, PRIVILEGED_POD, tempTree } from "../helpers/tmp.js";

/** Indents every line of `yaml` as the item of a YAML sequence nested `depth` levels in. */
const asItem = (yaml: string, indent: string) =>
  yaml
    .trimEnd()
    .split("\n")
    .map((line, i) => `${indent}${i === 0 ? "- " : "  "}${line}`)
    .join("\n");

/** A privileged pod three Lists deep: List → PodList → v1 List → Pod. */
const NESTED_LIST = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: PodList
    items:
      - apiVersion: v1
        kind: List
        items:
${asItem(PRIVILEGED_POD("deep"), "          ")}
`;

const GOOD = { "good/cm.yaml": CONFIGMAP("survivor") };

const SHOP_WORKLOAD = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx
`;
const SHOP_DENY_ALL = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;
const CONTROLS = ["--controls", "pod-no-host-access"];

async function auditJson(paths: string[], extra: string[] = ["--no-config"]) {
  const r = await runCli([...paths, ...CONTROLS, ...extra, "--format", "json"]);
  return { ...r, report: JSON.parse(r.stdout) as AuditReport };
}

const names = (report: AuditReport) => report.units.flatMap((u) => u.resources.map((r) => r.name));
const privilegedAt = (report: AuditReport) =>
  report.findings
    .filter((f) => f.status === "fail" && f.resource.kind === "Pod")
    .map((f) => `${f.source.file.split("/").slice(-2).join("/")}:${f.source.line}`);
/** The entry with its path relative to `root` (a folder keeps its trailing `/`). */
const under = (root: string) => (n: NotAuditedFile) => ({
  ...n,
  path: `${relative(root, resolve(n.path))}${n.path.endsWith("/") ? "/" : ""}`,
});

describe("inputs fail closed: what kubectl apply -R -f would read is audited", () => {
  it("expands a List nested three deep and points the finding at the item's line", async () => {
    const root = tempTree({ ...GOOD, "case/list.yaml": NESTED_LIST });
    const { code, report, stderr } = await auditJson([join(root, "case"), join(root, "good")]);
    expect(code, stderr).toBe(1);
    expect(privilegedAt(report)).toEqual(["case/list.yaml:10"]);
    expect(names(report)).toContain("survivor");
  });

  it("audits a dot-folder, dist/ and coverage/ (only .git, .hg, .svn and node_modules/ are skipped by default)", async () => {
    const root = tempTree({
      ...GOOD,
      "good/.hidden/priv.yaml": PRIVILEGED_POD("hidden"),
      "good/dist/priv.yaml": PRIVILEGED_POD("in-dist"),
      "good/coverage/priv.yaml": PRIVILEGED_POD("in-coverage"),
      "good/.git/priv.yaml": PRIVILEGED_POD("in-git"),
      "good/node_modules/pkg/priv.yaml": PRIVILEGED_POD("in-node-modules"),
    });
    const { code, report } = await auditJson([join(root, "good")]);
    expect(code).toBe(1);
    expect(privilegedAt(report).sort()).toEqual([".hidden/priv.yaml:1", "coverage/priv.yaml:1", "dist/priv.yaml:1"]);
    expect(report.notAudited.map(under(root))).toEqual([
      { path: "good/.git/", reason: "defaultSkip" },
      { path: "good/node_modules/", reason: "defaultSkip" },
    ]);
    expect(names(report)).toContain("survivor");
  });

  it("a symbolic link to a folder, which kubectl apply -R -f does not follow, is a set of its own: its default-deny policy covers nothing in the folder that links to it", async () => {
    const root = tempTree({
      ...GOOD,
      "good/app.yaml": SHOP_WORKLOAD,
      "elsewhere/policies/deny.yaml": SHOP_DENY_ALL,
      "elsewhere/pods/priv.yaml": PRIVILEGED_POD("linked"),
    });
    symlinkSync(join(root, "elsewhere/policies"), join(root, "good/policies"));
    symlinkSync(join(root, "elsewhere/pods"), join(root, "good/pods"));
    const run = await runCli([join(root, "good"), "--controls", "net-default-deny,pod-no-host-access", "--no-config", "--format", "json"]);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(run.code).toBe(1);
    expect(report.inputErrors).toEqual([]);
    const failing = report.findings
      .filter((f) => f.status === "fail")
      .map((f) => `${f.controlId} ${f.resource.name} ${relative(root, f.unit)}`);
    // The linked pods folder, applied by itself, has no default-deny of its own either.
    expect(failing.sort()).toEqual([
      "net-default-deny erlmcp good/pods",
      "net-default-deny shop good",
      "pod-no-host-access linked good/pods",
    ]);
    expect(report.units.map((u) => [relative(root, u.id), u.resources.map((r) => r.name).sort()])).toEqual([
      ["good", ["survivor", "web"]],
      ["good/pods", ["linked"]],
      ["good/policies", ["deny-all"]],
    ]);
    expect(report.notices.map((n) => [n.code, relative(root, n.file)])).toEqual([
      ["SYMLINKED_FOLDER", "good/pods"],
      ["SYMLINKED_FOLDER", "good/policies"],
    ]);
  });

  it("audits a file named erlmcp-audit.* that the run does not use as config or waivers", async () => {
    const root = tempTree({ ...GOOD, "good/erlmcp-audit.extra.yaml": PRIVILEGED_POD("named-like-config") });
    const { code, report } = await auditJson([join(root, "good")]);
    expect(code).toBe(1);
    expect(privilegedAt(report)).toEqual(["good/erlmcp-audit.extra.yaml:1"]);
    expect(report.notAudited).toEqual([]);
  });

  it("lists the config and waiver files the run uses as runConfig, and audits an unused one beside them", async () => {
    const root = tempTree({
      ...GOOD,
      "good/erlmcp-audit.config.yaml": "profile: production\nwaivers: [erlmcp-audit.waivers.yaml]\n",
      "good/erlmcp-audit.waivers.yaml": "apiVersion: erlmcp-audit/v1\nkind: WaiverList\nwaivers: []\n",
      "good/erlmcp-audit.old.yaml": PRIVILEGED_POD("unused-config-name"),
    });
    const { code, report } = await auditJson([join(root, "good")], []);
    expect(code).toBe(1);
    expect(privilegedAt(report)).toEqual(["good/erlmcp-audit.old.yaml:1"]);
    expect(report.notAudited.map(under(root))).toEqual([
      { path: "good/erlmcp-audit.config.yaml", reason: "runConfig" },
      { path: "good/erlmcp-audit.waivers.yaml", reason: "runConfig" },
    ]);
  });
});

describe("inputs fail closed: what is not audited is listed with its reason", () => {
  const root = tempTree({
    ...GOOD,
    "erlmcp-audit.config.yaml": "exclude: [vendor/, '**/*.draft.yaml']\n",
    "good/vendor/priv.yaml": PRIVILEGED_POD("vendored"),
    "good/sub/priv.draft.yaml": PRIVILEGED_POD("draft"),
    "good/notes.txt": PRIVILEGED_POD("in-text-file"),
  });
  let json: Awaited<ReturnType<typeof auditJson>>;
  beforeAll(async () => {
    json = await auditJson([join(root, "good")], []);
  });

  it("lists excluded paths with their pattern and files kubectl would not read as notManifest, in the JSON report", () => {
    expect(json.code, json.stderr).toBe(0);
    expect(json.report.notAudited.map(under(root))).toEqual([
      { path: "good/notes.txt", reason: "notManifest" },
      { path: "good/sub/priv.draft.yaml", reason: "excluded", detail: "**/*.draft.yaml" },
      { path: "good/vendor/", reason: "excluded", detail: "vendor/" },
    ]);
    expect(names(json.report)).toEqual(["survivor"]);
  });

  it("counts them in the text summary and lists them in markdown", async () => {
    const text = await runCli([join(root, "good"), ...CONTROLS]);
    expect(text.stdout).toMatch(/^i 3 paths not audited \(excluded: 2, not a manifest: 1\): see --format json$/m);
    const md = await runCli([join(root, "good"), ...CONTROLS, "--format", "markdown"]);
    expect(md.stdout).toContain("not audited: **3**");
    expect(md.stdout).toMatch(/^- <code>[^<]*good\/vendor\/<\/code>: excluded \(vendor\/\)$/m);
  });

  it("lists them in evidence.json, report.html and OSCAL", async () => {
    const report = await runAudit([join(root, "good")], {
      cwd: root,
      controls: ["pod-no-host-access"],
      now: new Date("2026-01-01T00:00:00Z"),
    });
    const pkg = renderEvidencePackage(report, { paths: ["good"], frameworks: ["soc2"] });
    expect(pkg.evidence.notAudited.map((n) => [n.path, n.reason])).toEqual([
      ["good/notes.txt", "notManifest"],
      ["good/sub/priv.draft.yaml", "excluded"],
      ["good/vendor/", "excluded"],
    ]);
    expect(pkg.evidence.reconciliation.notAudited).toBe(3);
    expect(pkg.files["report.html"]).toMatch(/<code>good\/vendor\/<\/code><\/td><td>excluded \(vendor\/\)/);
    const oscal = JSON.parse(pkg.files["assessment-results.json"]!);
    const resources = oscal["assessment-results"]["back-matter"].resources as Array<{
      title: string;
      props?: Array<{ name: string; value: string }>;
    }>;
    expect(resources.find((r) => r.title === "good/notes.txt")?.props).toContainEqual(
      expect.objectContaining({ name: "not-audited-reason", value: "notManifest" }),
    );
  });
});

describe("--max-file-size applies to stdin", () => {
  const bin = join(import.meta.dirname, "../../bin/erlmcp-audit.js");
  const big = `${PRIVILEGED_POD("from-stdin")}${"# padding\n".repeat(300)}`;

  it("refuses oversize stdin unparsed: exit 2, an input error naming stdin", async () => {
    const report = await runAudit(["-"], { config: false, controls: ["pod-no-host-access"], maxFileBytes: 1024, stdin: async () => big });
    expect(report.summary.exitCode).toBe(2);
    expect(report.inputErrors.map((e) => [e.code, e.file])).toEqual([["FILE_TOO_LARGE", "<stdin>"]]);
    expect(report.inputErrors[0]!.message).toContain("standard input (-)");
    expect(report.notAudited.map((n) => [n.path, n.reason])).toEqual([["<stdin>", "unreadable"]]);
  });

  // Runs the built CLI (npm run build), which reads stdin itself and stops past the limit.
  it("through the CLI, beside a good manifest", () => {
    const root = tempTree(GOOD);
    const r = spawnSync(
      process.execPath,
      [bin, "-", join(root, "good"), ...CONTROLS, "--no-config", "--max-file-size", "1KB", "--format", "json"],
      {
        input: big,
        encoding: "utf8",
      },
    );
    expect(r.status, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report.inputErrors.map((e) => [e.code, e.file])).toEqual([["FILE_TOO_LARGE", "<stdin>"]]);
    expect(names(report)).toEqual(["survivor"]);
  });
});
