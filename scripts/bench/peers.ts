/**
 * The peers of the benchmark: commands that evaluate the same corpus with other engines. Each peer
 * is prepared in a work folder (adapters, policy files) and returns its command, or why it is skipped.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCatalog } from "../../src/catalog/load.js";
import { resolveParams } from "../../src/config/profiles.js";
import { POLICIES_DIR } from "../../src/paths.js";

export interface Command {
  name: string;
  version: string;
  argv: string[];
  /** Shown in the report instead of the work folder paths. */
  display: string;
  /** Exit codes that mean "ran and found violations". */
  okCodes: number[];
  note?: string;
}

export type Peer = Command | { name: string; skipped: string };

function which(binary: string): string | undefined {
  const dirs = [
    process.env.ERLMCP_AUDIT_ENGINES_DIR && join(process.env.ERLMCP_AUDIT_ENGINES_DIR, "bin"),
    ...(process.env.PATH ?? "").split(":"),
  ];
  for (const dir of dirs) if (dir && existsSync(join(dir, binary))) return join(dir, binary);
  return undefined;
}

function versionOf(binary: string, args: string[], pattern: RegExp): string {
  try {
    const out = execFileSync(binary, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
    return pattern.exec(out)?.[1] ?? out.trim().split("\n")[0] ?? "?";
  } catch (error) {
    return `? (${String(error).slice(0, 60)})`;
  }
}

/**
 * conftest's input is the raw object; our Rego reads `input.review.object` (object scope) or
 * `input.resources` (set scope). With `--combine` conftest passes every file as one input
 * (`[{path, contents}]`); this adapter package re-enters each control with the input it expects and
 * the control's production parameters.
 */
export function conftestAdapter(): string {
  const lines = [
    "package main",
    "",
    "objects := [o | some file in input; some o in docs(file.contents)]",
    "",
    "docs(c) := c if is_array(c)",
    "else := [c]",
    "",
  ];
  for (const control of loadCatalog().filter((c) => c.engines.includes("rego"))) {
    const params = JSON.stringify(resolveParams(control, "production"));
    const rule = `data.${control.regoPackage}.violation`;
    if (control.scope === "set") {
      lines.push(`violation contains v if {`, `\tsome v in ${rule} with input as {"resources": objects, "parameters": ${params}}`, `}`, "");
    } else {
      lines.push(
        `violation contains v if {`,
        `\tsome o in objects`,
        `\to.kind in ${JSON.stringify(control.kinds)}`,
        `\tsome v in ${rule} with input as {"review": {"object": o}, "parameters": ${params}}`,
        `}`,
        "",
      );
    }
  }
  return lines.join("\n");
}

function regoFiles(): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(POLICIES_DIR, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === "dist" || entry.name.startsWith("_")) continue;
    const dir = join(POLICIES_DIR, entry.name);
    for (const f of readdirSync(dir)) if (f.endsWith(".rego") && !f.endsWith("_test.rego")) out.push(join(dir, f));
  }
  return out.sort();
}

export function preparePeers(work: string, corpus: string, files: string[], only?: string[]): Peer[] {
  const peers: Peer[] = [];
  const want = (name: string) => !only || only.includes(name);

  if (want("conftest")) {
    const conftest = which("conftest");
    if (!conftest) peers.push({ name: "conftest", skipped: "conftest not found (npm run engines -- --all)" });
    else {
      const policy = join(work, "conftest-policy");
      mkdirSync(policy, { recursive: true });
      for (const f of regoFiles()) cpSync(f, join(policy, f.slice(POLICIES_DIR.length + 1).replaceAll("/", "__")));
      writeFileSync(join(policy, "adapter.rego"), conftestAdapter());
      peers.push({
        name: "conftest",
        version: versionOf(conftest, ["--version"], /Conftest: (\S+)/),
        argv: [conftest, "test", "--combine", "--no-color", "-o", "json", "-p", policy, corpus],
        display: "conftest test --combine -p <our Rego + adapter.rego> <corpus>",
        okCodes: [0, 1],
        note: "our Rego through an adapter package (`--combine`: all files as one input, set-scope controls included)",
      });
    }
  }

  if (want("kyverno")) {
    const kyverno = which("kyverno");
    const policyFiles = readdirSync(POLICIES_DIR)
      .map((d) => join(POLICIES_DIR, d, "kyverno.yaml"))
      .filter(existsSync);
    if (!kyverno) peers.push({ name: "kyverno", skipped: "kyverno not found (npm run engines -- --all)" });
    else if (!policyFiles.length) peers.push({ name: "kyverno", skipped: "no policies/*/kyverno.yaml yet" });
    else
      peers.push({
        name: "kyverno",
        version: versionOf(kyverno, ["version"], /Version: (\S+)/),
        argv: [kyverno, "apply", ...policyFiles, "--resource", corpus, "--policy-report", "--output-format", "json", "--remove-color"],
        display: `kyverno apply <${policyFiles.length} policies/*/kyverno.yaml> --resource <corpus> --policy-report --output-format json`,
        okCodes: [0, 1],
        note: `our ValidatingPolicies (${policyFiles.length} object-scope controls)`,
      });
  }

  if (want("gator")) {
    const gator = which("gator");
    const dir = join(POLICIES_DIR, "gatekeeper");
    // Templates and constraints only: the samples of the gator suites would be audited too.
    const files = existsSync(dir)
      ? readdirSync(dir)
          .flatMap((id) => ["template.yaml", "constraint.yaml"].map((f) => join(dir, id, f)))
          .filter(existsSync)
      : [];
    if (!gator) peers.push({ name: "gator", skipped: "gator not found (npm run engines -- --all)" });
    else if (!files.length) peers.push({ name: "gator", skipped: "no policies/gatekeeper/ templates yet" });
    else
      peers.push({
        name: "gator",
        version: versionOf(gator, ["--version"], /(v\d\S*)/),
        argv: [gator, "test", ...files.flatMap((f) => ["-f", f]), "-f", corpus],
        display: `gator test -f <${files.length / 2} policies/gatekeeper/*/{template,constraint}.yaml> -f <corpus>`,
        okCodes: [0, 1],
        note: "our generated ConstraintTemplates and constraints (object-scope controls)",
      });
  }

  if (want("trivy")) {
    const trivy = which("trivy");
    if (!trivy) peers.push({ name: "trivy", skipped: "trivy not found (still building, or npm run engines -- --all)" });
    else
      peers.push({
        name: "trivy",
        version: versionOf(trivy, ["--version"], /Version: (\S+)/),
        argv: [
          trivy,
          "config",
          "--skip-check-update",
          "--skip-version-check",
          "--disable-telemetry",
          "-q",
          "-f",
          "json",
          "-o",
          join(work, "trivy.json"),
          corpus,
        ],
        display: "trivy config --skip-check-update --skip-version-check --disable-telemetry -f json <corpus>",
        okCodes: [0],
        note: "its own embedded Kubernetes checks",
      });
  }

  if (want("kube-score")) {
    const kubeScore = which("kube-score");
    if (!kubeScore) peers.push({ name: "kube-score", skipped: "kube-score not found (bash scripts/install-engines.sh kube-score)" });
    else
      peers.push({
        name: "kube-score",
        version: versionOf("go", ["version", "-m", kubeScore], /mod\s+\S+\s+(v\S+)/),
        argv: [kubeScore, "score", "--output-format", "ci", ...files],
        display: "kube-score score --output-format ci <corpus>/*.yaml",
        okCodes: [0, 1],
        note: "its own checks",
      });
  }

  if (want("checkov")) {
    const checkov = process.env.CHECKOV ?? which("checkov");
    if (!checkov) peers.push({ name: "checkov", skipped: "checkov not found (pip install checkov; or set CHECKOV)" });
    else
      peers.push({
        name: "checkov",
        version: versionOf(checkov, ["--version"], /(\d+\.\d+\.\d+)/),
        argv: [checkov, "-d", corpus, "--framework", "kubernetes", "--quiet", "--compact", "-o", "json", "--skip-download"],
        display: "checkov -d <corpus> --framework kubernetes --quiet --compact -o json --skip-download",
        okCodes: [0, 1],
        note: "its own Kubernetes checks",
      });
  }
  return peers;
}
