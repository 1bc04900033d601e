/** Finds, reads and validates the config file and the waiver files it names. */
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { readRegularFile, RegularFileError } from "../tools/read-regular-file.js";
import { dirname, join, relative, resolve } from "node:path";
import type { ValidateFunction } from "ajv";
import * as generated from "./file-validators.generated.js";
import { loadCatalog } from "../catalog/load.js";
import { auditDate } from "../version.js";
import type { Waiver } from "../waivers/types.js";
import { disabledOverrides, disabledReasonIssues, type DisabledOverride } from "./disabled.js";
import type { AuditConfig, ConfigFile } from "./types.js";
import { configCatalogIssues, waiverCatalogIssues, type CatalogEntry } from "./validate-config.js";
import { schemaIssues } from "./validate-schema.js";
import { DEFAULT_MAX_WAIVER_LIFETIME_DAYS, waiverPolicyIssues, type WaiverPolicy } from "./validate-waivers.js";
import {
  formatIssue,
  formatKeyPath,
  parseYamlSource,
  sortIssues,
  type Issue,
  type LocatedIssue,
  type YamlSource,
} from "./validate-yaml.js";

export const CONFIG_FILE_NAME = "erlmcp-audit.config.yaml";

/**
 * An invalid config or waiver file (exit 2). The message has one `file:line:column: key: problem` line
 * per issue, or `file: problem` when the file cannot be read at all.
 */
export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  /** Every problem found, sorted by position; empty when the file cannot be read. */
  readonly issues: readonly LocatedIssue[];
  constructor(
    readonly file: string,
    problem: string | readonly LocatedIssue[],
  ) {
    const issues = typeof problem === "string" ? [] : sortIssues(problem);
    super(typeof problem === "string" ? `${file}: ${problem}` : issues.map(formatIssue).join("\n"));
    this.issues = issues;
  }
}

/** The config and waiver file validators: ajv's code for their schemas, generated at build time. */
const fileValidators = generated as unknown as { config: ValidateFunction; waivers: ValidateFunction };

/** A parsed file with the digest of the bytes it was parsed from. */
type HashedSource = YamlSource & { sha256: string };

/** Reads and parses a YAML file; an unreadable file or a syntax error is a ConfigError. */
function readSource(file: string, cwd: string): HashedSource {
  const shown = relative(cwd, file) || file;
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file);
  } catch (error) {
    throw new ConfigError(shown, error instanceof RegularFileError ? error.message : `cannot read: ${(error as Error).message}`);
  }
  const source = parseYamlSource(bytes.toString("utf8"), shown);
  if (source.syntaxErrors.length) throw new ConfigError(shown, source.syntaxErrors);
  return { ...source, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/** Schema issues, then the catalog's; a schema issue at a key the catalog check explains better is dropped. */
function fileIssues(source: YamlSource, validate: ValidateFunction, catalogIssues: Issue[]): LocatedIssue[] {
  const explained = new Set(catalogIssues.map((i) => formatKeyPath(i.path)));
  const schema = validate(source.data) ? [] : schemaIssues(validate.errors, source.data);
  return [...schema.filter((i) => !explained.has(formatKeyPath(i.path))), ...catalogIssues].map(source.locate);
}

/** The shipped catalog, loaded once per process (it does not change while the webhook runs). */
let shippedCatalog: readonly CatalogEntry[] | undefined;

/** The catalog by control ID, loaded on first use. */
function lazyCatalog(catalog: readonly CatalogEntry[] | undefined): () => ReadonlyMap<string, CatalogEntry> {
  let byId: Map<string, CatalogEntry> | undefined;
  return () => (byId ??= new Map((catalog ?? (shippedCatalog ??= loadCatalog())).map((c) => [c.id, c])));
}

/** The config file named by the user, or the nearest one above the first input. */
export function findConfigFile(paths: readonly string[], cwd: string): string | undefined {
  const first = paths.find((p) => p !== "-");
  let dir = resolve(cwd, first ?? ".");
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = cwd;
  }
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface LoadedConfig {
  file?: string;
  config: AuditConfig;
  waivers: Waiver[];
  /** The config file and the waiver files read, in that order, with their SHA-256. */
  files: ConfigFile[];
  /** Every `enabled: false` of the config, with its line and reason. */
  disabled: DisabledOverride[];
}

/**
 * Loads and validates the config file (none: an empty config) and its waiver files plus `extraWaiverFiles`,
 * against the JSON Schemas and against the catalog: control IDs, parameter names and types (merged with
 * the control's defaults and profile values), profile names. Throws a ConfigError listing every issue of
 * the first invalid file (the config, then all waiver files together). Waivers are also checked against
 * the config's `waiverPolicy` and the audit date (see validate-waivers.ts), and every `enabled: false`
 * needs a `reason`.
 * @param catalog the controls to check against; default: `loadCatalog()`, loaded only if there is a file to check.
 * @param now the audit date no waiver may be approved after; default `auditDate()`.
 */
export function loadConfig(
  file: string | undefined,
  cwd: string,
  extraWaiverFiles: string[] = [],
  catalog?: readonly CatalogEntry[],
  now: Date = auditDate(),
): LoadedConfig {
  const controls = lazyCatalog(catalog);
  let config: AuditConfig = {};
  let base = cwd;
  const files: ConfigFile[] = [];
  let disabled: DisabledOverride[] = [];
  if (file) {
    const absolute = resolve(cwd, file);
    const source = readSource(absolute, cwd);
    const issues = fileIssues(source, fileValidators.config, [
      ...configCatalogIssues(source.data, controls()),
      ...disabledReasonIssues(source.data),
    ]);
    if (issues.length) throw new ConfigError(source.file, issues);
    config = source.data as AuditConfig;
    base = dirname(absolute);
    files.push({ path: source.file, sha256: source.sha256, role: "config" });
    disabled = disabledOverrides(source);
  }
  const policy: WaiverPolicy = { now, maxLifetimeDays: config.waiverPolicy?.maxLifetimeDays ?? DEFAULT_MAX_WAIVER_LIFETIME_DAYS };
  const waiverFiles = [...(config.waivers ?? []).map((w) => resolve(base, w)), ...extraWaiverFiles.map((w) => resolve(cwd, w))];
  const sources = waiverFiles.map((w) => readSource(w, cwd));
  const issues = sources.flatMap((s) => waiverFileIssues(s, controls(), policy));
  issues.push(...duplicateWaiverIds(sources));
  if (issues.length) throw new ConfigError(issues[0]!.file, issues);
  files.push(...sources.map((s) => ({ path: s.file, sha256: s.sha256, role: "waivers" as const })));
  return {
    file: file ? relative(cwd, resolve(cwd, file)) || file : undefined,
    config,
    waivers: sources.flatMap(waiversOf),
    files,
    disabled,
  };
}

/** Schema, catalog and policy issues of one waiver file. */
function waiverFileIssues(source: YamlSource, catalog: ReadonlyMap<string, CatalogEntry>, policy: WaiverPolicy): LocatedIssue[] {
  return fileIssues(source, fileValidators.waivers, [
    ...waiverCatalogIssues(source.data, catalog),
    ...waiverPolicyIssues(source.data, policy),
  ]);
}

function waiversOf(source: YamlSource): Waiver[] {
  return (source.data as { waivers: Omit<Waiver, "file">[] }).waivers.map((w) => ({ ...w, file: source.file }));
}

/** A waiver ID used twice, in one file or across files: reported at the second use. */
function duplicateWaiverIds(sources: readonly YamlSource[]): LocatedIssue[] {
  const first = new Map<string, LocatedIssue>();
  const issues: LocatedIssue[] = [];
  for (const source of sources) {
    const waivers = (source.data as { waivers?: unknown }).waivers;
    if (!Array.isArray(waivers)) continue;
    waivers.forEach((waiver, i) => {
      if (typeof waiver?.id !== "string") return;
      const at = source.locate({ path: ["waivers", i, "id"], problem: `waiver id '${waiver.id}' is used twice` });
      const earlier = first.get(waiver.id);
      if (earlier) issues.push({ ...at, problem: `${at.problem}; first at ${earlier.file}:${earlier.line}` });
      else first.set(waiver.id, at);
    });
  }
  return issues;
}

/**
 * Loads and validates one waiver file (schema, control IDs and message IDs, dates and lifetime).
 * @param catalog the controls waivers may name; default: `loadCatalog()`.
 * @param policy the audit date and longest lifetime; default: now and 365 days.
 */
export function loadWaiverFile(
  file: string,
  cwd: string,
  catalog?: readonly CatalogEntry[],
  policy: WaiverPolicy = { now: auditDate(), maxLifetimeDays: DEFAULT_MAX_WAIVER_LIFETIME_DAYS },
): Waiver[] {
  const source = readSource(file, cwd);
  const issues = waiverFileIssues(source, lazyCatalog(catalog)(), policy);
  issues.push(...duplicateWaiverIds([source]));
  if (issues.length) throw new ConfigError(source.file, issues);
  return waiversOf(source);
}
