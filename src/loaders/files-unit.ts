/** Loads a unit of plain YAML/JSON files. */
import { isUtf8 } from "node:buffer";
import { statSync } from "node:fs";
import type { InputError, Resource } from "../types.js";
import type { PlannedUnit } from "./discover.js";
import { inputError } from "./errors.js";
import type { LoadedUnit, UnitLoadContext } from "./load-types.js";
import { readManifestBytes } from "./read-guards.js";
import { parseThroughCache, type ParsedStream, type StreamOptions } from "./parse-cached.js";
import { sha256 } from "../digest.js";

/**
 * Fewest bytes of plain files in a unit for which the parse threads are used: below it, starting a
 * thread (~50 ms, more from the TypeScript sources) costs more than parsing in this thread.
 */
export const PARALLEL_PARSE_MIN_BYTES = 256 * 1024;

/** What reading one file gave: the input error that kept it unread, or its parsed and type-checked stream. */
type FileOutcome = { name: string; unread: InputError } | { name: string; checked: ParsedStream };

function totalBytes(files: readonly string[]): number {
  let bytes = 0;
  for (const file of files) {
    try {
      bytes += statSync(file).size;
    } catch {
      /* reported where the file is read */
    }
  }
  return bytes;
}

/**
 * Reads each file of `unit` through the guards, records its hash, and parses and type-checks it when
 * it is UTF-8 text: in this thread, or in the parse threads when there are some and the unit is large
 * enough. Either way the outcomes are taken in file order, so the unit and its errors are the same.
 */
export async function loadFilesUnit(unit: Extract<PlannedUnit, { kind: "files" }>, ctx: UnitLoadContext): Promise<LoadedUnit> {
  ctx.startUnit(unit.path);
  const resources: Resource[] = [];
  const unvalidatedKinds = new Set<string>();
  const pool = ctx.parsePool && unit.files.length > 1 && totalBytes(unit.files) >= PARALLEL_PARSE_MIN_BYTES ? ctx.parsePool : undefined;
  const take = (outcome: FileOutcome) => {
    if ("unread" in outcome) {
      ctx.errors.push(outcome.unread);
      ctx.notAudited.push({ path: outcome.name, reason: "unreadable", detail: outcome.unread.message });
      return;
    }
    ctx.errors.push(...outcome.checked.errors);
    resources.push(...outcome.checked.resources);
    outcome.checked.unvalidatedKinds.forEach((k) => unvalidatedKinds.add(k));
  };

  const pending: Array<Promise<FileOutcome>> = [];
  for (const [fileIndex, file] of unit.files.entries()) {
    const outcome = readAndParse(file, fileIndex);
    if (!pool) take(await outcome);
    else {
      // Taken in order below; a rejection is seen there, not reported as unhandled meanwhile.
      outcome.catch(() => {});
      pending.push(outcome);
    }
  }
  await pool?.parseQueued();
  for (const outcome of pending) take(await outcome);
  return { id: unit.id ?? unit.path, kind: "files", path: unit.path, resources, unvalidatedKinds: [...unvalidatedKinds].sort() };

  async function readAndParse(file: string, fileIndex: number): Promise<FileOutcome> {
    const name = ctx.inputs.relative(file);
    ctx.options.onFile?.(name, fileIndex, unit.files.length);
    const { data, error } = readManifestBytes(file, name, ctx.maxFileBytes);
    if (error) return { name, unread: error };
    const digest = sha256(data);
    ctx.inputs.addFile(file, data, digest);
    if (!isUtf8(data)) return { name, unread: inputError("BINARY_FILE", name, "is not valid UTF-8 text", { hint: "save it as UTF-8" }) };
    const options = { file: name, maxAliasCount: ctx.options.maxAliasCount };
    const parse = pool && ((text: string, o: StreamOptions) => pool.parse(text, o));
    return { name, checked: await parseThroughCache({ data, sha256: digest }, options, ctx.options.cache, parse) };
  }
}
