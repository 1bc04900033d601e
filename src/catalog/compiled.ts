/**
 * The validated catalog, stored (policies/dist/catalog.json, written by scripts/generate-catalog.ts)
 * under the SHA-256 of every file validation reads: each control.yaml, control.schema.json and the
 * kind catalog (KINDS_FILE). A run whose files hash the same uses it and skips parsing and schema compilation;
 * any edit (or a file added or removed) gives another digest, and the catalog is validated again.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { cacheKey } from "../cache/store.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../paths.js";
import { KINDS_FILE } from "./kinds.js";
import type { Control } from "./types.js";

/** The stored catalog's file name, under `<policies>/dist`. */
export const COMPILED_CATALOG = "catalog.json";

/** `dir` is set again on load: it names the folder the catalog is read from. */
interface CompiledCatalog {
  sourceSha256: string;
  controls: Control[];
}

/** The JSON schema every control.yaml is validated against (the shipped one, whatever folder the controls are read from). */
export const CONTROL_SCHEMA_FILE = join(POLICIES_DIR, "control.schema.json");

/** The files validating the controls `ids` of `policiesDir` reads: the schema, the kind catalog, each control.yaml. */
export function catalogSourceFiles(policiesDir: string, ids: readonly string[]): string[] {
  return [CONTROL_SCHEMA_FILE, KINDS_FILE, ...ids.map((id) => join(policiesDir, id, "control.yaml"))];
}

/** The cache key (`cacheKey`: each part framed by its type and length) of the bytes of `files` in order; a missing file is `null`. */
export function catalogSourceDigest(files: readonly string[]): string {
  return cacheKey(
    ...files.map((file) => {
      try {
        return readFileSync(file);
      } catch {
        return null;
      }
    }),
  );
}

/** The stored catalog when its digest is that of the files on disk now, else undefined. */
export function readCompiledCatalog(policiesDir: string, ids: readonly string[]): Control[] | undefined {
  let stored: CompiledCatalog;
  try {
    stored = JSON.parse(readFileSync(join(policiesDir, "dist", COMPILED_CATALOG), "utf8")) as CompiledCatalog;
  } catch {
    return undefined;
  }
  if (stored?.sourceSha256 !== catalogSourceDigest(catalogSourceFiles(policiesDir, ids)) || !Array.isArray(stored.controls))
    return undefined;
  const storedIds = stored.controls.map((c) => c.id);
  if (storedIds.length !== ids.length || storedIds.some((id, i) => id !== ids[i])) return undefined;
  return stored.controls.map((c) => ({ ...c, dir: relative(PACKAGE_ROOT, join(policiesDir, c.id)) }));
}

/** The text of policies/dist/catalog.json for a validated catalog. */
export function compiledCatalogText(policiesDir: string, controls: readonly Control[]): string {
  const ids = controls.map((c) => c.id);
  const stored: CompiledCatalog = { sourceSha256: catalogSourceDigest(catalogSourceFiles(policiesDir, ids)), controls: [...controls] };
  return `${JSON.stringify(stored, null, 1)}\n`;
}
