/** Loads and validates every policies/<id>/control.yaml into the control registry. */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import type { Ajv } from "ajv";
import { parse } from "yaml";
import { PACKAGE_ROOT, POLICIES_DIR } from "../paths.js";
import { controlParamsErrors } from "../config/validate-params.js";
import { CONTROL_SCHEMA_FILE, readCompiledCatalog } from "./compiled.js";
import { CatalogError } from "./errors.js";
import { createAjv } from "../tools/ajv.js";
import { expandKinds } from "./kinds.js";
import type { Control, ControlSpec } from "./types.js";

export { CatalogError } from "./errors.js";

/** Directories under policies/ that are not controls; `_`-prefixed entries hold catalog-level data. */
const NON_CONTROL_DIRS = new Set(["lib", "dist", "gatekeeper", "kyverno", "vap"]);
const isControlDir = (name: string) => !NON_CONTROL_DIRS.has(name) && !name.startsWith("_");

export function regoPackageOf(id: string): string {
  return `erlmcp.controls.${id.replaceAll("-", "_")}`;
}

export function controlIds(policiesDir = POLICIES_DIR): string[] {
  return readdirSync(policiesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isControlDir(d.name))
    .map((d) => d.name)
    .sort();
}

let validateSpec: ReturnType<Ajv["compile"]> | undefined;

function specValidator(): ReturnType<Ajv["compile"]> {
  if (!validateSpec) {
    const ajv = createAjv({ allErrors: true, strict: false });
    const schema = JSON.parse(readFileSync(CONTROL_SCHEMA_FILE, "utf8"));
    validateSpec = ajv.compile(schema);
  }
  return validateSpec;
}

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

/** What `npm run new:control` writes where the author must decide; a control.yaml holding it does not load. */
const UNFILLED = /\bTODO\b/;

/** JSON pointers of the string values that still hold the scaffold's TODO marker. */
function unfilledPaths(value: unknown, path = ""): string[] {
  if (typeof value === "string") return UNFILLED.test(value) ? [path || "/"] : [];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, v]) => unfilledPaths(v, `${path}/${key}`));
}

export function loadControl(dir: string): Control {
  const file = join(dir, "control.yaml");
  const where = relative(PACKAGE_ROOT, file);
  if (!existsSync(file)) throw new CatalogError(`${where}: missing control.yaml`);
  const spec = parse(readFileSync(file, "utf8")) as ControlSpec;
  const unfilled = unfilledPaths(spec);
  if (unfilled.length)
    throw new CatalogError(`${where}: unfilled scaffold TODO at ${unfilled.join(", ")}; replace each TODO (docs/writing-controls.md)`);
  const validate = specValidator();
  if (!validate(spec)) {
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
    throw new CatalogError(`${where}: invalid control: ${errors}`);
  }
  const folder = dir.split(/[\\/]/).pop();
  if (spec.id !== folder) throw new CatalogError(`${where}: id '${spec.id}' does not match its folder '${folder}'`);
  if (!spec.id.startsWith(`${spec.domain}-`)) throw new CatalogError(`${where}: id '${spec.id}' is not in domain '${spec.domain}'`);
  const paramsErrors = controlParamsErrors(spec, file, where);
  if (paramsErrors.length) throw new CatalogError(paramsErrors.join("\n"));
  let kinds: string[];
  try {
    kinds = expandKinds(spec.kinds);
  } catch (error) {
    throw new CatalogError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { ...spec, kinds, dir: relative(PACKAGE_ROOT, dir), regoPackage: regoPackageOf(spec.id) };
}

/** Every control, sorted by ID: the stored catalog when its source files are unchanged (see compiled.ts), else validated now. */
export function loadCatalog(policiesDir = POLICIES_DIR): Control[] {
  const ids = controlIds(policiesDir);
  return readCompiledCatalog(policiesDir, ids) ?? validateCatalog(policiesDir, ids);
}

/** Every control, each control.yaml parsed and validated. */
export function validateCatalog(policiesDir = POLICIES_DIR, ids = controlIds(policiesDir)): Control[] {
  return ids.map((id) => loadControl(join(policiesDir, id)));
}

/** Renders a message template with the violation's data; unknown placeholders stay visible. */
export function renderMessage(control: Pick<Control, "id" | "messages">, messageId: string, data: Record<string, unknown>): string {
  const template = control.messages[messageId];
  if (template === undefined) return `${control.id}: ${messageId}`;
  return template.replace(PLACEHOLDER, (whole, key: string) => (key in data ? String(data[key]) : whole));
}

/** Placeholders a message template needs. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}
