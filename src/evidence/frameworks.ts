/** The framework criteria lists (policies/_frameworks/*.yaml): IDs with our own short titles. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { POLICIES_DIR } from "../paths.js";
import type { FrameworkId } from "../types.js";

export interface FrameworkCriterion {
  id: string;
  title: string;
  /** What the manifests cannot prove and must be evidenced outside them. */
  external?: string;
}

export interface FrameworkCatalog {
  id: FrameworkId;
  name: string;
  version: string;
  criteria: FrameworkCriterion[];
}

export const FRAMEWORK_FILES: Record<FrameworkId, string> = { soc2: "soc2.yaml", iso27001: "iso27001-2022.yaml" };
export const FRAMEWORK_IDS = Object.keys(FRAMEWORK_FILES) as FrameworkId[];

export function loadFramework(id: FrameworkId, policiesDir = POLICIES_DIR): FrameworkCatalog {
  const file = join(policiesDir, "_frameworks", FRAMEWORK_FILES[id]);
  const data = parse(readFileSync(file, "utf8")) as FrameworkCatalog;
  if (data?.id !== id || !Array.isArray(data.criteria)) throw new Error(`${file}: expected id '${id}' and a criteria list`);
  const seen = new Set<string>();
  for (const c of data.criteria) {
    if (!c.id || !c.title || seen.has(c.id)) throw new Error(`${file}: criterion ${c.id ?? "?"} needs a unique id and a title`);
    seen.add(c.id);
  }
  return data;
}
