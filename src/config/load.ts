/** Finds, reads and validates the config file and the waiver files it names. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { parse } from "yaml";
import type { Waiver } from "../waivers/types.js";
import { CONFIG_SCHEMA, WAIVER_FILE_SCHEMA } from "./schema.js";
import type { AuditConfig } from "./types.js";

export const CONFIG_FILE_NAME = "erlmcp-audit.config.yaml";

export class ConfigError extends Error {
  readonly code = "CONFIG_INVALID";
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validateConfig = ajv.compile(CONFIG_SCHEMA);
const validateWaivers = ajv.compile(WAIVER_FILE_SCHEMA);

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map(
      (e) =>
        `${e.instancePath || "(root)"} ${e.message}${e.params && "additionalProperty" in e.params ? ` '${e.params.additionalProperty}'` : ""}`,
    )
    .join("; ");
}

function readYaml(file: string, cwd: string): unknown {
  const shown = relative(cwd, file) || file;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(shown, `cannot read: ${(error as Error).message}`);
  }
  try {
    return parse(text, { maxAliasCount: 100, uniqueKeys: true }) ?? {};
  } catch (error) {
    throw new ConfigError(shown, `invalid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
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
}

export function loadConfig(file: string | undefined, cwd: string, extraWaiverFiles: string[] = []): LoadedConfig {
  let config: AuditConfig = {};
  let base = cwd;
  if (file) {
    const absolute = resolve(cwd, file);
    const data = readYaml(absolute, cwd);
    if (!validateConfig(data))
      throw new ConfigError(relative(cwd, absolute) || file, `invalid config: ${describeErrors(validateConfig.errors)}`);
    config = data as AuditConfig;
    base = dirname(absolute);
  }
  const waiverFiles = [...(config.waivers ?? []).map((w) => resolve(base, w)), ...extraWaiverFiles.map((w) => resolve(cwd, w))];
  const waivers = waiverFiles.flatMap((w) => loadWaiverFile(w, cwd));
  const ids = new Set<string>();
  for (const w of waivers) {
    if (ids.has(w.id)) throw new ConfigError(w.file, `waiver id '${w.id}' is used twice`);
    ids.add(w.id);
  }
  return { file: file ? relative(cwd, resolve(cwd, file)) || file : undefined, config, waivers };
}

export function loadWaiverFile(file: string, cwd: string): Waiver[] {
  const shown = relative(cwd, file) || file;
  const data = readYaml(file, cwd);
  if (!validateWaivers(data)) throw new ConfigError(shown, `invalid waiver file: ${describeErrors(validateWaivers.errors)}`);
  return (data as { waivers: Omit<Waiver, "file">[] }).waivers.map((w) => ({ ...w, file: shown }));
}
