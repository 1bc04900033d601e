/** audit(): load every input, evaluate every control with every chosen engine, apply waivers, build the report. */
import { readFileSync } from "node:fs";
import { isAbsolute, relative, resolve, dirname, sep } from "node:path";
import { loadCatalog, renderMessage } from "./catalog/load.js";
import type { Control } from "./catalog/types.js";
import { findConfigFile, loadConfig } from "./config/load.js";
import { DEFAULT_PROFILE, isControlEnabled, resolveParams, resolveSeverity } from "./config/profiles.js";
import type { AuditConfig } from "./config/types.js";
import { createEngine, DEFAULT_ENGINES } from "./engines/index.js";
import { RegoEngine } from "./engines/rego.js";
import { TrivyEngine } from "./engines/trivy.js";
import type { ControlVerdict, Engine } from "./engines/types.js";
import { buildNetworkModel } from "./k8s/network-model.js";
import { loadInputs, type LoadedUnit } from "./loaders/load.js";
import { PACKAGE_ROOT } from "./paths.js";
import { REPORT_SCHEMA_VERSION, type AuditReport, type Disagreement, type ReportControl, type ReportSummary } from "./report.js";
import { SEVERITIES, type AuditUnit, type EngineName, type Finding, type Resource, type ResourceRef, type Severity } from "./types.js";
import { applyWaivers } from "./waivers/apply.js";
import { applyBaseline, readBaseline } from "./baseline/baseline.js";
import type { Waiver } from "./waivers/types.js";

export interface AuditOptions {
  cwd?: string;
  /** Config file; default: the nearest erlmcp-audit.config.yaml above the first input. `false` for none. */
  config?: string | false;
  /** Extra waiver files (besides those the config names). */
  waivers?: string[];
  /** Ignore every waiver (a full report). */
  disallowWaivers?: boolean;
  /** Profile of every input (overrides the config's per-input profiles). */
  profile?: string;
  engines?: EngineName[];
  /** Control IDs or globs (`net-*`) to run; default all. */
  controls?: string[];
  skipControls?: string[];
  failOn?: Severity;
  values?: string[];
  /** Waivers expiring within this many days warn (default 14). */
  waiverWarnDays?: number;
  /** Baseline file (see --write-baseline): only findings not in it fail the gate. */
  baseline?: string;
  /** Largest input file read, in bytes (default 16 MiB); larger files are input errors. */
  maxFileBytes?: number;
  /** Audit date, for waiver expiry and timestamps; default SOURCE_DATE_EPOCH or now. */
  now?: Date;
  stdin?: () => Promise<string>;
  onProgress?: (event: { phase: "load" | "evaluate"; label: string; index: number; total: number }) => void;
  /** Called once with the wall time of each phase (kept out of the report, which stays deterministic). */
  onTimings?: (timings: AuditTimings) => void;
}

/** Wall time in milliseconds of the phases of one audit() call. */
export interface AuditTimings {
  /** Catalog, config and engine preparation (wasm compile). */
  prepareMs: number;
  /** Helm and Kustomize renders (external processes). */
  renderMs: number;
  /** Reading and parsing inputs, renders excluded. */
  loadMs: number;
  evaluateMs: number;
  /** Waivers, baseline and report assembly. */
  reportMs: number;
  totalMs: number;
}

export function auditDate(env: NodeJS.ProcessEnv = process.env): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(resolve(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

export function meetsThreshold(severity: Severity, failOn: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[failOn];
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
}

export function selectControls(all: Control[], include?: string[], exclude?: string[]): Control[] {
  const matches = (id: string, globs: string[]) => globs.some((g) => globToRegExp(g).test(id));
  if (include?.length) {
    const unknown = include.filter((g) => !all.some((c) => matches(c.id, [g])));
    if (unknown.length) throw new UsageError(`Unknown control ${unknown.join(", ")}. Run \`erlmcp-audit controls\` to list them.`);
  }
  return all.filter((c) => (!include?.length || matches(c.id, include)) && !(exclude?.length && matches(c.id, exclude)));
}

export class UsageError extends Error {
  readonly code = "USAGE";
}

const refKey = (r: ResourceRef) => `${r.kind}/${r.namespace}/${r.name}`;

function profileOf(unit: LoadedUnit, config: AuditConfig, configDir: string, cwd: string, fallback: string): string {
  const candidates = [unit.path, unit.values].filter((p): p is string => !!p).map((p) => resolve(cwd, p));
  for (const entry of config.inputs ?? []) {
    for (const p of entry.paths) {
      const target = resolve(configDir, p);
      if (candidates.some((c) => c === target || c.startsWith(target + sep))) return entry.profile;
    }
  }
  return fallback;
}

export async function audit(paths: readonly string[], options: AuditOptions = {}): Promise<AuditReport> {
  const cwd = options.cwd ?? process.cwd();
  const now = options.now ?? auditDate();
  const startedAt = performance.now();
  let renderMs = 0;
  const configFile = options.config === false ? undefined : (options.config ?? findConfigFile(paths, cwd));
  const loaded = loadConfig(configFile, cwd, options.waivers);
  const config = loaded.config;
  const configDir = configFile ? dirname(resolve(cwd, configFile)) : cwd;
  const defaultProfile = options.profile ?? config.profile ?? DEFAULT_PROFILE;
  const controls = selectControls(loadCatalog(), options.controls, options.skipControls);
  const engineNames = options.engines ?? [...DEFAULT_ENGINES];
  const engines: Engine[] = engineNames.map(createEngine);
  for (const engine of engines) await engine.prepare(controls.filter((c) => engine.implements(c)));

  const preparedAt = performance.now();
  const input = await loadInputs(paths, {
    cwd,
    values: options.values,
    helm: config.helm,
    maxFileBytes: options.maxFileBytes,
    stdin: options.stdin,
    onUnit: (label, index, total) => options.onProgress?.({ phase: "load", label, index, total }),
    onRender: (_label, ms) => (renderMs += ms),
    onFile: (label, index, total) => options.onProgress?.({ phase: "load", label, index, total }),
  });
  const loadedAt = performance.now();

  const units: AuditUnit[] = input.units.map((u) => ({
    id: u.id,
    kind: u.kind,
    path: u.path,
    resources: u.resources,
    profile: options.profile ?? profileOf(u, config, configDir, cwd, defaultProfile),
  }));

  const findings: Finding[] = [];
  const disagreements: Disagreement[] = [];
  const controlResults = new Map<string, ReportControl["results"]>();
  const objectIndex = new Map<string, Resource>();

  for (const [index, unit] of units.entries()) {
    options.onProgress?.({ phase: "evaluate", label: unit.id, index, total: units.length });
    const byRef = new Map(unit.resources.map((r) => [refKey(r.ref), r]));
    for (const r of unit.resources) objectIndex.set(`${unit.id}\u0000${refKey(r.ref)}`, r);
    const active = controls.filter((c) => isControlEnabled(c, unit.profile, config));
    const context = { paramsFor: (c: Control, u: AuditUnit) => resolveParams(c, u.profile, config) };
    const verdicts = new Map<EngineName, ControlVerdict[]>();
    for (const engine of engines) verdicts.set(engine.name, await engine.evaluate(unit, active, context));

    for (const control of active) {
      const severity = resolveSeverity(control, unit.profile, config);
      const seen = new Map<string, Finding>();
      const tuplesByEngine = new Map<EngineName, Set<string>>();
      let errors = 0;
      for (const [engineName, list] of verdicts) {
        const verdict = list.find((v) => v.controlId === control.id);
        if (!verdict) continue;
        const tuples = new Set<string>();
        tuplesByEngine.set(engineName, tuples);
        for (const v of verdict.violations) {
          tuples.add(`${refKey(v.resource)} ${v.messageId}`);
          const tuple = `${refKey(v.resource)}\u0000${v.messageId}\u0000`;
          const key = `${tuple}${stableJson(v.data)}`;
          // An engine without violation data (kyverno) only adds tuples no other engine reported.
          if (Object.keys(v.data).length) seen.delete(`${tuple}[]`);
          else if ([...seen.keys()].some((k) => k.startsWith(tuple))) continue;
          if (seen.has(key)) continue;
          const resource = byRef.get(refKey(v.resource));
          seen.set(key, {
            controlId: control.id,
            messageId: v.messageId,
            message: renderMessage(control, v.messageId, v.data),
            data: v.data,
            severity,
            status: "fail",
            resource: v.resource,
            source: resource?.source ?? sourceForMissing(unit, v.resource),
            engine: engineName,
            unit: unit.id,
          });
        }
        for (const e of verdict.errors) {
          errors++;
          const resource = e.resource ? byRef.get(refKey(e.resource)) : undefined;
          findings.push({
            controlId: control.id,
            messageId: "evaluationError",
            message: `${engineName} could not evaluate ${control.id}: ${e.message}`,
            data: {},
            severity,
            status: "error",
            resource: e.resource ?? { apiVersion: "", kind: "", namespace: "", name: "" },
            source: resource?.source ?? { file: unit.path, line: 1, documentIndex: 0 },
            engine: engineName,
            unit: unit.id,
          });
        }
      }
      disagreements.push(...compareEngines(control.id, unit.id, tuplesByEngine));
      findings.push(...seen.values());
      const evaluated =
        control.scope === "set" ? unit.resources.length : unit.resources.filter((r) => control.kinds.includes(r.ref.kind)).length;
      const results = controlResults.get(control.id) ?? [];
      results.push({
        unit: unit.id,
        profile: unit.profile,
        severity,
        evaluated,
        failed: seen.size,
        waived: 0,
        errors,
        engines: [...tuplesByEngine.keys()],
      });
      controlResults.set(control.id, results);
    }
  }

  const evaluatedAt = performance.now();
  const waivers: Waiver[] = options.disallowWaivers ? [] : loaded.waivers;
  const waived = applyWaivers(findings, waivers, {
    now,
    warnDays: options.waiverWarnDays,
    objectOf: (f) => objectIndex.get(`${f.unit}\u0000${refKey(f.resource)}`)?.object,
  });
  const baseline = options.baseline ? applyBaseline(waived.findings, readBaseline(resolve(cwd, options.baseline))) : undefined;
  const finalFindings = (baseline?.findings ?? waived.findings).sort(compareFindings);
  for (const f of finalFindings) {
    if (f.status !== "waived") continue;
    const result = controlResults.get(f.controlId)?.find((r) => r.unit === f.unit);
    if (result) {
      result.waived++;
      result.failed--;
    }
  }

  const failOn = options.failOn ?? "low";
  const rego = engines.find((e): e is RegoEngine => e instanceof RegoEngine);
  const manifest = rego?.bundleManifest();
  const report: AuditReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: {
      name: "erlmcp-audit",
      version: packageVersion(),
      opaVersion: manifest?.opaVersion ?? "",
      policyBundleSha256: manifest?.wasmSha256 ?? "",
      engines: engineNames,
    },
    generatedAt: now.toISOString(),
    config: loaded.file,
    failOn,
    inputs: input.inputs,
    units: units.map((u) => ({
      id: u.id,
      kind: u.kind,
      path: u.path,
      ...(input.units.find((l) => l.id === u.id)?.values ? { values: input.units.find((l) => l.id === u.id)?.values } : {}),
      profile: u.profile,
      resources: u.resources.map((r) => r.ref),
      unevaluatedKinds: unevaluatedKinds(u, controls, config),
    })),
    controls: controls.map((c) => ({
      id: c.id,
      title: c.title,
      domain: c.domain,
      severity: c.severity,
      scope: c.scope,
      engines: c.engines,
      kinds: c.kinds,
      description: c.description,
      remediation: c.remediation,
      frameworks: c.frameworks,
      references: c.references ?? [],
      results: controlResults.get(c.id) ?? [],
    })),
    findings: finalFindings,
    inputErrors: input.errors,
    waivers: waived.register,
    ...(baseline && options.baseline ? { baseline: { file: options.baseline, fixed: baseline.fixed } } : {}),
    disagreements: disagreements.sort((a, b) =>
      `${a.controlId}${a.unit}${refKey(a.resource)}`.localeCompare(`${b.controlId}${b.unit}${refKey(b.resource)}`),
    ),
    network: Object.fromEntries(units.map((u) => [u.id, buildNetworkModel(u.resources)])),
    summary: {} as ReportSummary,
  };
  const trivy = engines.find((e): e is TrivyEngine => e instanceof TrivyEngine);
  if (trivy) report.thirdParty = await trivy.scan(units);
  report.summary = summarize(report, failOn);
  const doneAt = performance.now();
  options.onTimings?.({
    prepareMs: preparedAt - startedAt,
    renderMs,
    loadMs: loadedAt - preparedAt - renderMs,
    evaluateMs: evaluatedAt - loadedAt,
    reportMs: doneAt - evaluatedAt,
    totalMs: doneAt - startedAt,
  });
  return report;
}

/** Kinds no enabled control inspects in this unit: reported as not evaluated rather than passed silently. */
function unevaluatedKinds(unit: AuditUnit, controls: Control[], config: AuditConfig): string[] {
  const inspected = new Set(controls.filter((c) => isControlEnabled(c, unit.profile, config)).flatMap((c) => c.kinds));
  return [...new Set(unit.resources.map((r) => r.ref.kind))].filter((k) => !inspected.has(k)).sort();
}

function sourceForMissing(unit: AuditUnit, ref: ResourceRef) {
  const sameNamespace = unit.resources.find(
    (r) => r.ref.namespace === ref.namespace || (ref.kind === "Namespace" && r.ref.namespace === ref.name),
  );
  return (
    sameNamespace?.source ?? { file: isAbsolute(unit.path) ? relative(process.cwd(), unit.path) : unit.path, line: 1, documentIndex: 0 }
  );
}

function compareEngines(controlId: string, unit: string, tuples: Map<EngineName, Set<string>>): Disagreement[] {
  if (tuples.size < 2) return [];
  const all = new Set([...tuples.values()].flatMap((s) => [...s]));
  const out: Disagreement[] = [];
  for (const tuple of [...all].sort()) {
    const reportedBy = [...tuples].filter(([, s]) => s.has(tuple)).map(([e]) => e);
    if (reportedBy.length === tuples.size) continue;
    const missedBy = [...tuples.keys()].filter((e) => !reportedBy.includes(e));
    const [ref, messageId] = tuple.split(" ") as [string, string];
    const [kind, namespace, ...name] = ref.split("/");
    out.push({
      controlId,
      unit,
      resource: { apiVersion: "", kind: kind ?? "", namespace: namespace ?? "", name: name.join("/") },
      messageId,
      reportedBy,
      missedBy,
    });
  }
  return out;
}

function stableJson(data: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.controlId.localeCompare(b.controlId) ||
    a.unit.localeCompare(b.unit) ||
    refKey(a.resource).localeCompare(refKey(b.resource)) ||
    a.messageId.localeCompare(b.messageId) ||
    stableJson(a.data).localeCompare(stableJson(b.data))
  );
}

export function summarize(
  report: Pick<AuditReport, "units" | "controls" | "findings" | "inputErrors" | "waivers" | "baseline">,
  failOn: Severity,
): ReportSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let failed = 0;
  let gateFailures = 0;
  for (const f of report.findings) {
    if (f.status !== "fail") continue;
    failed++;
    bySeverity[f.severity]++;
    if (meetsThreshold(f.severity, failOn) && f.baseline !== "existing") gateFailures++;
  }
  const errors = report.findings.filter((f) => f.status === "error").length;
  const expiredWaivers = report.waivers.filter((w) => w.state === "expired").length;
  const exitCode: 0 | 1 | 2 = report.inputErrors.length || errors ? 2 : gateFailures || expiredWaivers ? 1 : 0;
  return {
    units: report.units.length,
    resources: report.units.reduce((n, u) => n + u.resources.length, 0),
    controls: report.controls.length,
    failed,
    waived: report.findings.filter((f) => f.status === "waived").length,
    errors,
    inputErrors: report.inputErrors.length,
    bySeverity,
    expiredWaivers,
    unusedWaivers: report.waivers.filter((w) => w.matched === 0).length,
    ...(report.baseline
      ? {
          baseline: {
            new: report.findings.filter((f) => f.baseline === "new").length,
            existing: report.findings.filter((f) => f.baseline === "existing").length,
            fixed: report.baseline.fixed.length,
          },
        }
      : {}),
    exitCode,
  };
}
