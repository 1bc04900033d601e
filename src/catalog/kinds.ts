/**
 * Catalog data about Kubernetes kinds, from policies/_kinds.yaml: API groups, cluster-scoped kinds,
 * where an object carries its pod template, and the aliases a control.yaml may name in `kinds:`
 * (e.g. `workloads`).
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { sha256 } from "../digest.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../paths.js";
import { CatalogError } from "./errors.js";
import { isRecord } from "../records.js";

/** policies/_kinds.yaml */
export const KINDS_FILE = join(POLICIES_DIR, "_kinds.yaml");
/**
 * policies/dist/kinds.json (scripts/generate-catalog.ts): the data of KINDS_FILE as JSON, under the SHA-256 of
 * its text. Every run reads the kind catalog when it starts, and parsing it with `yaml` cost ~20 ms of each.
 */
export const STORED_KINDS_FILE = join(POLICIES_DIR, "dist", "kinds.json");

/** The content of policies/_kinds.yaml. */
export interface KindCatalog {
  /** Kind → its API groups (`""` = core). */
  groups: ReadonlyMap<string, readonly string[]>;
  /** Kinds without a namespace; every other kind is treated as namespaced. */
  clusterScoped: ReadonlySet<string>;
  /** Kind → the path of keys of its pod template (`[]` = the object itself, a Pod): the `workloads` kinds. */
  podTemplates: ReadonlyMap<string, readonly string[]>;
  /** How an object of a kind without an entry in `podTemplates` (a custom resource) carries a pod template. */
  genericPodTemplate: GenericPodTemplate;
  /** Alias → its kinds, in the order written. */
  aliases: ReadonlyMap<string, readonly string[]>;
}

/**
 * The generic rule: the first of `paths` whose value is a mapping with `spec.<field>` a non-empty list,
 * for a field of `containerFields`, is the object's pod template.
 */
export interface GenericPodTemplate {
  paths: ReadonlyArray<readonly string[]>;
  containerFields: readonly string[];
}

/** The alias that must list exactly the kinds with a `podTemplate`. */
export const WORKLOADS_ALIAS = "workloads";

const KIND_NAME = /^[A-Z][A-Za-z0-9]*$/;
const ALIAS_NAME = /^[a-z][A-Za-z0-9]*$/;

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string");
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]*$/;
const isPath = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === "string" && FIELD_NAME.test(v));
const TOP_LEVEL_KEYS = ["kinds", "genericPodTemplate", "aliases"];
const KIND_KEYS = ["groups", "clusterScoped", "podTemplate"];

/** Parses and checks the text of a kinds file; `where` names it in errors. */
export function parseKindCatalog(text: string, where: string): KindCatalog {
  return kindCatalogOf(parse(text) as unknown, where);
}

/** Checks the data of a kinds file; `where` names it in errors. */
function kindCatalogOf(data: unknown, where: string): KindCatalog {
  const fail = (problem: string): never => {
    throw new CatalogError(`${where}: ${problem}`);
  };
  if (!isRecord(data) || !isRecord(data.kinds)) return fail("`kinds` must be a mapping of kind → { groups, clusterScoped }");
  const extra = Object.keys(data).filter((k) => !TOP_LEVEL_KEYS.includes(k));
  if (extra.length) fail(`unknown key ${extra.join(", ")}`);
  const groups = new Map<string, readonly string[]>();
  const clusterScoped = new Set<string>();
  const podTemplates = new Map<string, readonly string[]>();
  for (const [kind, entry] of Object.entries(data.kinds)) {
    if (!KIND_NAME.test(kind)) fail(`kind '${kind}' is not a Kind name`);
    if (!isRecord(entry) || !isStringList(entry.groups)) return fail(`kinds.${kind}.groups must be a non-empty list of API groups`);
    const unknown = Object.keys(entry).filter((k) => !KIND_KEYS.includes(k));
    if (unknown.length) fail(`kinds.${kind}: unknown key ${unknown.join(", ")}`);
    if (entry.clusterScoped !== undefined && typeof entry.clusterScoped !== "boolean")
      fail(`kinds.${kind}.clusterScoped must be true or false`);
    if (entry.podTemplate !== undefined && !isPath(entry.podTemplate))
      fail(`kinds.${kind}.podTemplate must be a list of field names ([] = the object itself)`);
    groups.set(kind, entry.groups);
    if (entry.clusterScoped === true) clusterScoped.add(kind);
    if (isPath(entry.podTemplate)) podTemplates.set(kind, entry.podTemplate);
  }
  const genericPodTemplate = parseGenericPodTemplate(data.genericPodTemplate, fail);
  const aliases = new Map<string, readonly string[]>();
  if (data.aliases !== undefined && !isRecord(data.aliases)) fail("`aliases` must be a mapping of alias → kinds");
  for (const [alias, kinds] of Object.entries((data.aliases ?? {}) as Record<string, unknown>)) {
    if (!ALIAS_NAME.test(alias)) fail(`alias '${alias}' must start with a lowercase letter`);
    if (!isStringList(kinds)) return fail(`aliases.${alias} must be a non-empty list of kinds`);
    const undeclared = kinds.filter((k) => !groups.has(k));
    if (undeclared.length) fail(`aliases.${alias}: ${undeclared.join(", ")} not in \`kinds\``);
    if (new Set(kinds).size !== kinds.length) fail(`aliases.${alias} lists a kind twice`);
    aliases.set(alias, kinds);
  }
  const workloads = aliases.get(WORKLOADS_ALIAS) ?? [];
  const mismatch = [...podTemplates.keys()].filter((k) => !workloads.includes(k)).concat(workloads.filter((k) => !podTemplates.has(k)));
  if (mismatch.length)
    fail(`aliases.${WORKLOADS_ALIAS} must list exactly the kinds with a podTemplate; differs on ${mismatch.sort().join(", ")}`);
  return { groups, clusterScoped, podTemplates, genericPodTemplate, aliases };
}

function parseGenericPodTemplate(value: unknown, fail: (problem: string) => never): GenericPodTemplate {
  if (value === undefined) return { paths: [], containerFields: [] };
  if (!isRecord(value)) return fail("`genericPodTemplate` must be a mapping { paths, containerFields }");
  const unknown = Object.keys(value).filter((k) => k !== "paths" && k !== "containerFields");
  if (unknown.length) fail(`genericPodTemplate: unknown key ${unknown.join(", ")}`);
  const { paths, containerFields } = value;
  if (!Array.isArray(paths) || !paths.every((p) => isPath(p) && p.length > 0))
    return fail("genericPodTemplate.paths must be a list of non-empty lists of field names");
  if (!isStringList(containerFields) || !containerFields.every((f) => FIELD_NAME.test(f)))
    return fail("genericPodTemplate.containerFields must be a non-empty list of field names");
  return { paths, containerFields };
}

/** The text of a stored kinds file for the kinds file `text` (checked first): its data as JSON under the SHA-256 of the text. */
export function storedKindsText(text: string, where: string): string {
  const data = parse(text) as unknown;
  kindCatalogOf(data, where);
  return `${JSON.stringify({ sourceSha256: sha256(text), data }, null, 2)}\n`;
}

/** The data `stored` (a stored kinds file) holds for the kinds file `text`, or undefined when it was stored for other text. */
function storedData(stored: string, text: string): unknown {
  try {
    const parsed = JSON.parse(readFileSync(stored, "utf8")) as { sourceSha256?: unknown; data?: unknown };
    return parsed.sourceSha256 === sha256(text) ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads policies/_kinds.yaml (or another kinds file), from the data `stored` holds when it was stored for
 * the file's text as it is now; checked either way.
 */
export function loadKindCatalog(file = KINDS_FILE, stored = file === KINDS_FILE ? STORED_KINDS_FILE : undefined): KindCatalog {
  const text = readFileSync(file, "utf8");
  const where = relative(PACKAGE_ROOT, file);
  const data = stored === undefined ? undefined : storedData(stored, text);
  return data === undefined ? parseKindCatalog(text, where) : kindCatalogOf(data, where);
}

/** The kind catalog of this package. */
export const KINDS: KindCatalog = loadKindCatalog();

/** The kinds an alias stands for; throws on an unknown alias. */
export function aliasKinds(alias: string, catalog: KindCatalog = KINDS): readonly string[] {
  const kinds = catalog.aliases.get(alias);
  if (!kinds)
    throw new CatalogError(`unknown kind alias '${alias}' (aliases of policies/_kinds.yaml: ${[...catalog.aliases.keys()].join(", ")})`);
  return kinds;
}

/** A control's `kinds:` with every alias (a lowercase entry) replaced by its kinds; first occurrence wins. */
export function expandKinds(entries: readonly string[], catalog: KindCatalog = KINDS): string[] {
  const out = new Set<string>();
  for (const entry of entries) {
    if (ALIAS_NAME.test(entry)) for (const kind of aliasKinds(entry, catalog)) out.add(kind);
    else out.add(entry);
  }
  return [...out];
}
