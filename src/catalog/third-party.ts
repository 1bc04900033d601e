/**
 * Third-party checks and the controls they overlap: `thirdParty.trivy` of each control.yaml (relation
 * `same` or `partial`) and policies/_thirdparty/trivy.yaml (checks no control covers, relation `none`).
 * The trivy scanner and docs/trivy-mapping.md read the lookup built here.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse } from "yaml";
import { PACKAGE_ROOT, POLICIES_DIR } from "../paths.js";
import { CatalogError } from "./errors.js";
import { loadCatalog } from "./load.js";
import type { ControlSpec } from "./types.js";
import { isRecord } from "../records.js";

/** policies/_thirdparty/trivy.yaml */
export const TRIVY_UNMAPPED_FILE = join(POLICIES_DIR, "_thirdparty", "trivy.yaml");

/** `same`: the check tests one clause of the control; `partial`: it overlaps but is broader or narrower; `none`: no control of ours. */
export type TrivyRelation = "same" | "partial" | "none";

/** What one Trivy check is to our catalog. */
export interface TrivyMapping {
  /** Trivy's title of the check. */
  title: string;
  /** The control it overlaps; absent when the relation is `none`. */
  control?: string;
  relation: TrivyRelation;
  /** Which clause, how the two differ, or why no control covers it. */
  rationale: string;
}

/** `KSV-0001`, `KSV001`, `AVD-KSV-0001`, `ksv-0001` → `KSV001` (`KSV-01010` → `KSV01010`). */
export function normalizeCheckId(id: string): string {
  const m = /^(?:AVD-)?([A-Z]+)-?(\d+)$/i.exec(id.trim());
  if (!m) return id.trim().toUpperCase();
  const digits = m[2] as string;
  return `${(m[1] as string).toUpperCase()}${digits.length === 4 && digits.startsWith("0") ? digits.slice(1) : digits}`;
}

/** The checks of a `_thirdparty` file (`unmapped: [{check, title, rationale}]`); `where` names it in errors. */
export function parseUnmappedChecks(text: string, where: string): Array<{ check: string; title: string; rationale: string }> {
  const data = parse(text) as unknown;
  if (!isRecord(data) || !Array.isArray(data.unmapped)) throw new CatalogError(`${where}: \`unmapped\` must be a list of checks`);
  return data.unmapped.map((entry: unknown, i) => {
    const fields = isRecord(entry) ? entry : {};
    const { check, title, rationale } = fields;
    const extra = Object.keys(fields).filter((k) => !["check", "title", "rationale"].includes(k));
    if (typeof check !== "string" || typeof title !== "string" || typeof rationale !== "string" || extra.length)
      throw new CatalogError(`${where}: unmapped[${i}] must have exactly a string check, title and rationale`);
    return { check, title, rationale };
  });
}

/** Check ID → mapping, from the controls' `thirdParty.trivy` and the unmapped checks; a check listed twice is an error. */
export function trivyMappingsOf(
  controls: readonly Pick<ControlSpec, "id" | "thirdParty">[],
  unmapped: ReadonlyArray<{ check: string; title: string; rationale: string }>,
): Record<string, TrivyMapping> {
  const out: Record<string, TrivyMapping> = {};
  const add = (check: string, mapping: TrivyMapping, where: string) => {
    if (normalizeCheckId(check) !== check)
      throw new CatalogError(`${where}: check ${check} is not normalised (${normalizeCheckId(check)})`);
    const previous = out[check];
    if (previous) throw new CatalogError(`${where}: check ${check} is already mapped (${previous.control ?? "unmapped"})`);
    out[check] = mapping;
  };
  for (const control of controls) {
    for (const { check, title, relation, rationale } of control.thirdParty?.trivy ?? []) {
      add(check, { title, control: control.id, relation, rationale }, `policies/${control.id}/control.yaml`);
    }
  }
  for (const { check, title, rationale } of unmapped) add(check, { title, relation: "none", rationale }, "policies/_thirdparty/trivy.yaml");
  return out;
}

/** The Trivy mapping of a catalog (default: this package's controls and policies/_thirdparty/trivy.yaml). */
export function loadTrivyMappings(
  controls: readonly Pick<ControlSpec, "id" | "thirdParty">[] = loadCatalog(),
  unmappedFile = TRIVY_UNMAPPED_FILE,
): Record<string, TrivyMapping> {
  const unmapped = parseUnmappedChecks(readFileSync(unmappedFile, "utf8"), relative(PACKAGE_ROOT, unmappedFile));
  return trivyMappingsOf(controls, unmapped);
}

let packageMappings: Readonly<Record<string, TrivyMapping>> | undefined;

/** The Trivy mapping of this package's catalog, read once on first use. */
export function trivyMappings(): Readonly<Record<string, TrivyMapping>> {
  packageMappings ??= loadTrivyMappings();
  return packageMappings;
}
