/**
 * The API versions of the CustomResourceDefinitions found in the inputs (plain files, kustomization
 * resources, and every chart's `crds/` and templates), passed to `helm template --api-versions` so that
 * a template branching on `.Capabilities.APIVersions.Has "group/version"` renders the branch a cluster
 * with those CRDs installed would apply.
 */
import { readRegularText } from "../tools/read-regular-file.js";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import type { PlannedUnit } from "./discover.js";
import { kustomizationSources } from "./kustomization.js";

const CRD_HINT = "CustomResourceDefinition";

/** `group/version` and `group/version/Kind` of every CRD version in `files`, sorted; templates are read with their actions blanked. */
export function crdApiVersions(files: Iterable<string>, maxFileBytes: number): string[] {
  const found = new Set<string>();
  for (const file of files) {
    const text = readRegularText(file, maxFileBytes);
    if (text === undefined) continue;
    if (!text.includes(CRD_HINT)) continue;
    for (const doc of parseAllDocuments(withoutActions(text), { uniqueKeys: false })) {
      if (doc.errors.length) continue;
      try {
        for (const v of crdVersions(doc.toJS({ maxAliasCount: 100 }))) found.add(v);
      } catch {
        /* reported when the file is loaded */
      }
    }
  }
  return [...found].sort();
}

/** The files of `planned` that may hold CRDs: plain files, kustomization sources and every file of every chart. */
export function crdSourceFiles(planned: readonly PlannedUnit[], cwd: string): string[] {
  return planned.flatMap((unit) =>
    unit.kind === "files"
      ? unit.files
      : unit.kind === "kustomize"
        ? kustomizationSources(resolve(cwd, unit.path)).declaring
        : filesUnder(resolve(cwd, unit.path)),
  );
}

function crdVersions(object: unknown): string[] {
  const o = object as { kind?: unknown; spec?: { group?: unknown; version?: unknown; versions?: unknown; names?: { kind?: unknown } } };
  if (o?.kind !== CRD_HINT || typeof o.spec?.group !== "string" || !o.spec.group) return [];
  const group = o.spec.group;
  const kind = typeof o.spec.names?.kind === "string" ? o.spec.names.kind : undefined;
  const versions = [
    ...(typeof o.spec.version === "string" ? [o.spec.version] : []),
    ...(Array.isArray(o.spec.versions)
      ? o.spec.versions.flatMap((v: { name?: unknown; served?: unknown }) =>
          typeof v?.name === "string" && v.served !== false ? [v.name] : [],
        )
      : []),
  ];
  return versions.flatMap((v) => [`${group}/${v}`, ...(kind ? [`${group}/${v}/${kind}`] : [])]);
}

/** `text` with each `{{ … }}` action removed, so that a template's static YAML parses. */
function withoutActions(text: string): string {
  let out = "";
  let from = 0;
  for (let start = text.indexOf("{{"); start !== -1; start = text.indexOf("{{", from)) {
    const end = text.indexOf("}}", start + 2);
    if (end === -1) break;
    out += text.slice(from, start);
    from = end + 2;
  }
  return out + text.slice(from);
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name !== ".git" && entry.name !== "node_modules") walk(join(d, entry.name));
      else if (entry.isFile()) out.push(join(d, entry.name));
    }
  };
  walk(dir);
  return out;
}
