/** The options and results of loading inputs, and what loading one unit shares with the load in progress. */
import type { ResultCache } from "../cache/store.js";
import type { AuditUnitKind, InputError, InputFile, NotAuditedFile, Notice, Resource } from "../types.js";
import type { ExcludeOptions } from "./exclude.js";
import type { InputRegister } from "./input-register.js";
import type { EntrypointOptions } from "./kustomize-entrypoints.js";
import type { ParsePool } from "./parse-pool.js";
import type { HelmOptions } from "./render.js";
import type { SourceCache } from "./source-attribution.js";

/** How `loadInputs` reads, renders and reports progress. */
export interface LoadOptions {
  cwd?: string;
  /** Helm values files to render instead of the chart's own (values.yaml, values*.yaml, values/, ci/*values.yaml). */
  values?: string[];
  helm?: Partial<HelmOptions>;
  /** Largest file read, in bytes (default 16 MiB). */
  maxFileBytes?: number;
  maxAliasCount?: number;
  /**
   * Text of stdin when a path is `-`. It is given the size limit and may stop reading once past it:
   * text longer than the limit (in UTF-8 bytes) is refused unparsed.
   */
  stdin?: (maxBytes: number) => Promise<string>;
  /** The config's `exclude` patterns and the config folder they are relative to. */
  exclude?: ExcludeOptions;
  /** Absolute paths of the config and waiver files the run uses: listed as not audited, never read as manifests. */
  runConfigFiles?: readonly string[];
  /** The config's `entrypoints`: the kustomizations rendered on their own (default: every kustomization). */
  entrypoints?: EntrypointOptions;
  /**
   * Threads that parse and type-check plain files (`--workers`), from PARSE_THREADS_MIN_WORKERS (load.ts) on;
   * default 1, in this thread. The result is the same for any number: files are read, and their results
   * taken, in plan order.
   */
  workers?: number;
  /** `--cache`: parse results (per file) and renders are read from and written to this store. */
  cache?: ResultCache;
  /** Called once per planned unit, for progress reporting. */
  onUnit?: (label: string, index: number, total: number) => void;
  /** Called once per plain file read, for progress reporting of large directories. */
  onFile?: (file: string, index: number, total: number) => void;
  /** Called after each Helm or Kustomize render with its wall time (for `--timings`). */
  onRender?: (label: string, ms: number) => void;
}

/** A unit before a profile is assigned. */
export interface LoadedUnit {
  id: string;
  kind: AuditUnitKind;
  path: string;
  /** Values file of a Helm render. */
  values?: string;
  resources: Resource[];
  /** `apiVersion/kind` of the objects no shipped schema knows (unknown custom resources): loaded without a type check. */
  unvalidatedKinds?: string[];
}

/** Every unit loaded, every input file read (by path), every file not audited and every input error, in the order found. */
export interface LoadResult {
  units: LoadedUnit[];
  inputs: InputFile[];
  errors: InputError[];
  /** Files under the input paths that were not audited, with the reason (sorted by path). */
  notAudited: NotAuditedFile[];
  /** How charts and kustomizations were rendered, where the reader must know it (see docs/inputs.md). */
  notices: Notice[];
  /** Streams that are not files (stdin), by the name their resources carry: read again only to place findings. */
  texts: Map<string, string>;
  /** The options Helm rendered with (API versions of the inputs' CRDs included): rendered again only to place findings. */
  helm: HelmOptions;
}

/** What loading one planned unit shares with the load in progress. */
export interface UnitLoadContext {
  cwd: string;
  options: LoadOptions;
  maxFileBytes: number;
  inputs: InputRegister;
  /** Input errors of the whole load, in the order they are found. */
  errors: InputError[];
  /** Files of the whole load that were not audited (unreadable ones are also input errors). */
  notAudited: NotAuditedFile[];
  sources: SourceCache;
  /** Parse threads, when the load runs with more than one worker. */
  parsePool?: ParsePool;
  /** Announces the next unit (or Helm values file) to `options.onUnit`. */
  startUnit(label: string): void;
}
