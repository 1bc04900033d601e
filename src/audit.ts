/**
 * audit(): the pipeline, top to bottom. Inputs (discover, render, parse) → units with their profile →
 * evaluation (every engine, one object evaluator) → findings → waivers and baseline → gate → report.
 */
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { applyBaseline, createBaseline, readBaseline } from "./baseline/baseline.js";
import { toolFingerprint } from "./cache/fingerprint.js";
import { cacheKey, defaultCacheDir, openCache } from "./cache/store.js";
import { evaluateThroughCache, perUnitThroughCache, unitKeys } from "./cache/units.js";
import { loadCatalog } from "./catalog/load.js";
import { selectControls } from "./catalog/select.js";
import { findConfigFile, loadConfig } from "./config/load.js";
import { DEFAULT_PROFILE } from "./config/profiles.js";
import { createEngine, DEFAULT_ENGINES } from "./engines/index.js";
import { isObjectEngine, type Engine } from "./engines/types.js";
import { createEvaluationPool } from "./evaluation/parallel.js";
import { planCache } from "./evaluation/plan.js";
import { evaluateUnits, resourceIndex } from "./evaluation/units.js";
import { compareFindings } from "./findings/identity.js";
import { loadInputs, type LoadResult } from "./loaders/load.js";
import { locateFindings } from "./locate/index.js";
import { networkModelOf } from "./report/network.js";
import { buildReport, unevaluatedKinds } from "./report/build.js";
import type { AuditReport } from "./report/types.js";
import { SCANNER_FACTORIES } from "./thirdparty/index.js";
import type { EngineName, Severity } from "./types.js";
import { toAuditUnits } from "./units/profile.js";
import { auditDate } from "./version.js";
import { applyWaivers } from "./waivers/apply.js";

/** Options of {@link audit}: the CLI's audit options by their long names (`--fail-on` is `failOn`). */
export interface AuditOptions {
  /** Folder the paths, config and waiver files are relative to; default `process.cwd()`. */
  cwd?: string;
  /** Config file; default: the nearest erlmcp-audit.config.yaml above the first input. `false` for none. */
  config?: string | false;
  /** Extra waiver files (besides those the config names). */
  waivers?: string[];
  /** Ignore every waiver (a full report). */
  disallowWaivers?: boolean;
  /** Profile of every input (overrides the config's per-input profiles). */
  profile?: string;
  /** Engines and third-party scanners by name (default rego + typescript). */
  engines?: EngineName[];
  /** Control IDs or globs (`net-*`) to run; default all. */
  controls?: string[];
  /** Control IDs or globs to skip (`--skip-controls`). */
  skipControls?: string[];
  /** Lowest severity that fails the run (`summary.exitCode` 1); default low. */
  failOn?: Severity;
  /** Render each chart with these values files only (`--values`), instead of one render per values file. */
  values?: string[];
  /** Waivers expiring within this many days warn (default 14). */
  waiverWarnDays?: number;
  /** Baseline file (see --write-baseline): only findings not in it fail the gate. */
  baseline?: string;
  /**
   * The baseline file this run writes (--write-baseline): every failing finding is judged against it,
   * so the report shows them as existing and the gate passes unless something else fails it.
   */
  writeBaseline?: string;
  /** Largest input file read, in bytes (default 16 MiB); larger files are input errors. */
  maxFileBytes?: number;
  /** Kubernetes version Helm renders for (`--kube-version`); default the config's `helm.kubeVersion`, else 1.31.0. */
  kubeVersion?: string;
  /** Audit date, for waiver expiry and timestamps; default SOURCE_DATE_EPOCH or now. */
  now?: Date;
  /** Text of stdin for the path `-`; given the size limit, it may stop reading once past it. */
  stdin?: (maxBytes: number) => Promise<string>;
  /**
   * `--cache`: reuse parse results, renders and unit evaluations stored in `dir` (default
   * `defaultCacheDir()`) whose keys (input bytes, tool, engines, controls, config, waivers, options) all
   * match; `onWarning` hears of corrupt entries (ignored) and failed writes.
   */
  cache?: { dir?: string; onWarning?: (message: string) => void };
  /**
   * Threads (`--workers`; default `os.availableParallelism()`, 1 does everything in the calling thread):
   * from 2, the Rego engine judges each unit of at least REGO_THREAD_MIN_RESOURCES resources in a thread of
   * its own (src/evaluation/rego-thread.ts); from 3 (PARSE_THREADS_MIN_WORKERS), plain input files are also
   * parsed and type-checked in threads. The report is the same for any number.
   */
  workers?: number;
  /** Called as each input is loaded and each unit evaluated (the CLI's progress line). */
  onProgress?: (event: { phase: "load" | "evaluate"; label: string; index: number; total: number }) => void;
  /** Called once with the wall time of each phase (kept out of the report, which stays deterministic). */
  onTimings?: (timings: AuditTimings) => void;
  /** Units already loaded (the objects a cluster holds): audited instead of reading `paths`. */
  loaded?: LoadResult;
}

/** Wall time in milliseconds of the phases of one audit() call. */
export interface AuditTimings {
  /** Catalog, config and engine preparation (wasm compile). */
  prepareMs: number;
  /** Helm and Kustomize renders (external processes). */
  renderMs: number;
  /** Reading and parsing inputs, renders excluded. */
  loadMs: number;
  /** Evaluation of the controls, placing of the findings excluded. */
  evaluateMs: number;
  /** Placing findings on their lines (src/locate), the tagged Helm renders it may need included. */
  locateMs: number;
  /** Waivers, baseline and report assembly. */
  reportMs: number;
  totalMs: number;
}

/** Audits the inputs (files, directories, charts, overlays; `-` for stdin) and returns the report. */
export async function audit(paths: readonly string[], options: AuditOptions = {}): Promise<AuditReport> {
  const cwd = options.cwd ?? process.cwd();
  const now = options.now ?? auditDate();
  const clock = stopwatch();
  let renderMs = 0;
  let locateRenderMs = 0;

  const configFile = options.config === false ? undefined : (options.config ?? findConfigFile(paths, cwd));
  const catalog = loadCatalog();
  const { config, waivers, file, files: configFiles, disabled } = loadConfig(configFile, cwd, options.waivers, catalog, now);
  const controls = selectControls(catalog, options.controls, options.skipControls);
  const names = options.engines ?? [...DEFAULT_ENGINES];
  const engines = names.filter((n) => !(n in SCANNER_FACTORIES)).map(createEngine);
  const scanners = names.flatMap((n) => (n in SCANNER_FACTORIES ? [SCANNER_FACTORIES[n as keyof typeof SCANNER_FACTORIES]()] : []));
  // The in-process engines (the Rego bundle's wasm, the validators) are prepared when a unit is evaluated: a
  // run whose every unit comes from `--cache` needs neither. The others are checked now (a missing binary
  // fails the run whether or not the cache holds their verdicts).
  const prepare = (engine: Engine) => engine.prepare(controls.filter((c) => engine.implements(c)));
  for (const engine of engines) if (!isObjectEngine(engine)) await prepare(engine);
  for (const scanner of scanners) await scanner.prepare();
  let latePrepareMs = 0;
  const prepareMs = clock.lap();
  const threads = options.workers ?? availableParallelism();
  const cache = options.cache ? openCache(options.cache.dir ?? defaultCacheDir(), options.cache.onWarning) : undefined;

  const input =
    options.loaded ??
    (await loadInputs(paths, {
      cwd,
      values: options.values,
      helm: options.kubeVersion ? { ...config.helm, kubeVersion: options.kubeVersion } : config.helm,
      maxFileBytes: options.maxFileBytes,
      stdin: options.stdin,
      cache,
      workers: threads,
      ...(config.entrypoints && configFile ? { entrypoints: { spec: config.entrypoints, configFile: resolve(cwd, configFile) } } : {}),
      ...(config.exclude?.length && configFile ? { exclude: { base: dirname(resolve(cwd, configFile)), patterns: config.exclude } } : {}),
      runConfigFiles: [
        ...(configFile ? [resolve(cwd, configFile)] : []),
        ...(config.waivers ?? []).map((w) => resolve(cwd, dirname(configFile ?? "."), w)),
        ...(options.waivers ?? []).map((w) => resolve(cwd, w)),
      ],
      onUnit: (label, index, total) => options.onProgress?.({ phase: "load", label, index, total }),
      onRender: (_label, ms) => (renderMs += ms),
      onFile: (label, index, total) => options.onProgress?.({ phase: "load", label, index, total }),
    }));
  const units = toAuditUnits(input.units, {
    config,
    configDir: configFile ? dirname(resolve(cwd, configFile)) : cwd,
    cwd,
    fallback: options.profile ?? config.profile ?? DEFAULT_PROFILE,
    override: options.profile,
  });
  const loadMs = clock.lap();

  const runKey = cache
    ? cacheKey(
        toolFingerprint(),
        cwd,
        engines.map((e) => e.describe()),
        controls,
        config,
        configFiles,
        [names, options.profile, options.disallowWaivers, options.kubeVersion, options.values, options.maxFileBytes, input.helm],
      )
    : "";
  let locateMs = 0;
  const pool = createEvaluationPool(threads, { controls, config, engines: engines.filter(isObjectEngine).map((e) => e.name) });
  const keys = cache ? unitKeys(units, { runKey, inputs: input.inputs, texts: input.texts }) : [];
  const evaluation = await evaluateThroughCache(units, cache, keys, async (todo) => {
    const prepareStart = performance.now();
    await Promise.all(engines.filter(isObjectEngine).map(prepare));
    latePrepareMs = performance.now() - prepareStart;
    const evaluated = await evaluateUnits(
      todo,
      planCache(controls, config),
      engines,
      (unit, index) => options.onProgress?.({ phase: "evaluate", label: unit.id, index, total: todo.length }),
      pool,
    ).finally(() => pool.close());
    const locateStart = performance.now();
    await locateFindings(evaluated.findings, todo, {
      cwd,
      texts: input.texts,
      helm: input.helm,
      inputs: input.inputs,
      cache,
      onRender: (ms) => (locateRenderMs += ms),
    });
    locateMs = performance.now() - locateStart;
    return evaluated;
  });
  const evaluateMs = clock.lap() - locateMs - latePrepareMs;

  const resourceOf = resourceIndex(units);
  const waived = applyWaivers(evaluation.findings, options.disallowWaivers ? [] : waivers, {
    now,
    warnDays: options.waiverWarnDays,
    objectOf: (f) => resourceOf(f)?.object,
  });
  const baselineFile = options.writeBaseline ?? options.baseline;
  const baseline = options.writeBaseline
    ? applyBaseline(waived.findings, createBaseline(waived.findings))
    : options.baseline
      ? applyBaseline(waived.findings, readBaseline(resolve(cwd, options.baseline)))
      : undefined;
  const report = buildReport({
    now,
    failOn: options.failOn ?? "low",
    configFile: file,
    config,
    engines: names,
    descriptions: engines.map((e) => e.describe()),
    controls,
    configFiles: options.disallowWaivers ? configFiles.filter((f) => f.role === "config") : configFiles,
    disabled,
    input,
    units,
    // Both read every object of a unit; from the cache, a unit's objects are not decoded (src/loaders/parse-cached.ts).
    networks: perUnitThroughCache("network", units, cache, keys, (u) => networkModelOf(u.resources)),
    unevaluatedKinds: perUnitThroughCache("unevaluated-kinds", units, cache, keys, (u) => unevaluatedKinds(u, controls, config)),
    evaluation,
    findings: (baseline?.findings ?? waived.findings).sort(compareFindings),
    waivers: waived.register,
    ...(baseline && baselineFile ? { baseline: { file: baselineFile, fixed: baseline.fixed } } : {}),
    ...(scanners.length ? { thirdParty: (await Promise.all(scanners.map((s) => s.scan(units)))).flat() } : {}),
  });
  // Entries are written in the background (src/cache/store.ts): the run ends when they are on disk.
  await cache?.flush();
  const reportMs = clock.lap();
  // Renders placing findings needs (src/locate/helm.ts) are renders too.
  const locateRenders = Math.min(locateRenderMs, locateMs);
  options.onTimings?.({
    prepareMs: prepareMs + latePrepareMs,
    renderMs: renderMs + locateRenders,
    loadMs: loadMs - renderMs,
    evaluateMs,
    locateMs: locateMs - locateRenders,
    reportMs,
    totalMs: clock.total(),
  });
  return report;
}

function stopwatch(): { lap(): number; total(): number } {
  const start = performance.now();
  let last = start;
  return {
    lap() {
      const now = performance.now();
      const ms = now - last;
      last = now;
      return ms;
    },
    total: () => performance.now() - start,
  };
}
