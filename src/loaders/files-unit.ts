/** Loads a unit of plain YAML/JSON files. */
import { isUtf8 } from "node:buffer";
import type { Resource } from "../types.js";
import type { PlannedUnit } from "./discover.js";
import { inputError } from "./errors.js";
import type { LoadedUnit, UnitLoadContext } from "./load-types.js";
import { readManifestBytes } from "./read-guards.js";
import { parseThroughCache } from "./parse-cached.js";

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
    const checked = await parseThroughCache(data, { file: name, maxAliasCount: ctx.options.maxAliasCount }, ctx.options.cache);
    ctx.errors.push(...checked.errors);
    resources.push(...checked.resources);
    checked.unvalidatedKinds.forEach((k) => unvalidatedKinds.add(k));
  }
  return { id: unit.id ?? unit.path, kind: "files", path: unit.path, resources, unvalidatedKinds: [...unvalidatedKinds].sort() };
}
