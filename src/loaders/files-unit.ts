/** Loads a unit of plain YAML/JSON files. */
import { isUtf8 } from "node:buffer";
import { cacheKey } from "../cache/store.js";
import { toolFingerprint } from "../cache/fingerprint.js";
import type { InputError, Resource } from "../types.js";
import type { PlannedUnit } from "./discover.js";
import { inputError } from "./errors.js";
import type { LoadedUnit, UnitLoadContext } from "./load-types.js";
import { readManifestBytes } from "./read-guards.js";
import { typeCheckParsed } from "./validate-types.js";
import { parseManifestStream } from "./yaml.js";

/** Reads each file of `unit` through the guards, records its hash, and parses and type-checks it when it is UTF-8 text. */
export async function loadFilesUnit(unit: Extract<PlannedUnit, { kind: "files" }>, ctx: UnitLoadContext): Promise<LoadedUnit> {
  ctx.startUnit(unit.path);
  const resources: Resource[] = [];
  const unvalidatedKinds = new Set<string>();
  for (const [fileIndex, file] of unit.files.entries()) {
    const name = ctx.inputs.relative(file);
    ctx.options.onFile?.(name, fileIndex, unit.files.length);
    const { data, error } = readManifestBytes(file, name, ctx.maxFileBytes);
    if (error) {
      ctx.errors.push(error);
      ctx.notAudited.push({ path: name, reason: "unreadable", detail: error.message });
      continue;
    }
    ctx.inputs.addFile(file, data);
    if (!isUtf8(data)) {
      ctx.errors.push(inputError("BINARY_FILE", name, "is not valid UTF-8 text", { hint: "save it as UTF-8" }));
      ctx.notAudited.push({ path: name, reason: "unreadable", detail: "is not valid UTF-8 text" });
      continue;
    }
    const checked = await parseFile(data, name, ctx);
    ctx.errors.push(...checked.errors);
    resources.push(...checked.resources);
    checked.unvalidatedKinds.forEach((k) => unvalidatedKinds.add(k));
  }
  return { id: unit.id ?? unit.path, kind: "files", path: unit.path, resources, unvalidatedKinds: [...unvalidatedKinds].sort() };
}

/** What one file gave: its type-checked resources, its input errors, the kinds no shipped schema knows. */
interface ParsedFile {
  resources: Resource[];
  errors: InputError[];
  unvalidatedKinds: string[];
}

/**
 * Parses and type-checks one file's bytes, through the `--cache` when there is one: the entry is keyed
 * by the bytes, the name the file is reported under, the alias limit and the tool's fingerprint.
 */
async function parseFile(data: Buffer, name: string, ctx: UnitLoadContext): Promise<ParsedFile> {
  const { cache, maxAliasCount } = ctx.options;
  const key = cache ? cacheKey("parse", toolFingerprint(), name, maxAliasCount ?? null, data) : "";
  const cached = cache?.get<ParsedFile>("parse", key);
  if (cached) return cached;
  const parsed = parseManifestStream(data.toString("utf8"), { file: name, maxAliasCount, locateFields: true });
  const errors = [...parsed.errors];
  const checked = await typeCheckParsed(parsed, errors);
  const result: ParsedFile = { resources: checked.resources, errors, unvalidatedKinds: checked.unvalidatedKinds };
  cache?.put("parse", key, result);
  return result;
}
