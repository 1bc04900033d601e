/**
 * Catalog data about Kubernetes kinds, from policies/_kinds.yaml: API groups, cluster-scoped kinds and
 * the aliases a control.yaml may name in `kinds:` (e.g. `workloads`).
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { PACKAGE_ROOT, POLICIES_DIR } from "../paths.js";
import { CatalogError } from "./errors.js";

/** policies/_kinds.yaml */
export const KINDS_FILE = join(POLICIES_DIR, "_kinds.yaml");

/** The content of policies/_kinds.yaml. */
export interface KindCatalog {
  /** Kind → its API groups (`""` = core). */
  groups: ReadonlyMap<string, readonly string[]>;
  /** Kinds without a namespace; every other kind is treated as namespaced. */
  clusterScoped: ReadonlySet<string>;
  /** Alias → its kinds, in the order written. */
  aliases: ReadonlyMap<string, readonly string[]>;
}

const KIND_NAME = /^[A-Z][A-Za-z0-9]*$/;
const ALIAS_NAME = /^[a-z][A-Za-z0-9]*$/;

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);
const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string");

/** Parses and checks the text of a kinds file; `where` names it in errors. */
export function parseKindCatalog(text: string, where: string): KindCatalog {
  const fail = (problem: string): never => {
    throw new CatalogError(`${where}: ${problem}`);
  };
  const data = parse(text) as unknown;
  if (!isRecord(data) || !isRecord(data.kinds)) return fail("`kinds` must be a mapping of kind → { groups, clusterScoped }");
  const extra = Object.keys(data).filter((k) => k !== "kinds" && k !== "aliases");
  if (extra.length) fail(`unknown key ${extra.join(", ")}`);
  const groups = new Map<string, readonly string[]>();
  const clusterScoped = new Set<string>();
  for (const [kind, entry] of Object.entries(data.kinds)) {
    if (!KIND_NAME.test(kind)) fail(`kind '${kind}' is not a Kind name`);
    if (!isRecord(entry) || !isStringList(entry.groups)) return fail(`kinds.${kind}.groups must be a non-empty list of API groups`);
    const unknown = Object.keys(entry).filter((k) => k !== "groups" && k !== "clusterScoped");
    if (unknown.length) fail(`kinds.${kind}: unknown key ${unknown.join(", ")}`);
    if (entry.clusterScoped !== undefined && typeof entry.clusterScoped !== "boolean")
      fail(`kinds.${kind}.clusterScoped must be true or false`);
    groups.set(kind, entry.groups);
    if (entry.clusterScoped === true) clusterScoped.add(kind);
  }
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
  return { groups, clusterScoped, aliases };
}

/** Reads policies/_kinds.yaml (or another kinds file). */
export function loadKindCatalog(file = KINDS_FILE): KindCatalog {
  return parseKindCatalog(readFileSync(file, "utf8"), relative(PACKAGE_ROOT, file));
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
