/**
 * Points rendered objects back at the file and line that declare them: a Helm template's `kind:`
 * line, or the Kustomize source that declares the object.
 */
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Resource } from "../types.js";
import { parseManifestStream } from "./yaml.js";

/** Per load: the `kind:` lines of each template file and the objects each Kustomize source declares. */
export interface SourceCache {
  kindLines: Map<string, Map<string, number[]>>;
  declared: Map<string, Array<{ key: string; file: string; line: number }>>;
}

/** An empty cache, for one load. */
export function sourceCache(): SourceCache {
  return { kindLines: new Map(), declared: new Map() };
}

const SOURCE_COMMENT = /^# Source: (.+)$/gm;

/** Points each Helm-rendered object at its template file and the line of its `kind:` there. */
export function attributeHelmSources(resources: Resource[], stream: string, chartPath: string, cwd: string, cache: SourceCache): void {
  const templates: string[] = [];
  for (const part of stream.split(/^---\s*$/m)) {
    if (!/^\s*(kind|apiVersion):/m.test(part)) continue;
    SOURCE_COMMENT.lastIndex = 0;
    templates.push(SOURCE_COMMENT.exec(part)?.[1]?.trim() ?? "");
  }
  const occurrences = new Map<string, number>();
  resources.forEach((resource) => {
    const template = templates[resource.source.documentIndex] ?? templates[resources.indexOf(resource)];
    if (!template) return;
    // `# Source: <chart name>/templates/x.yaml`: the chart name is the first segment.
    const file = join(chartPath, template.split("/").slice(1).join("/"));
    const key = `${file}\u0000${resource.ref.kind}`;
    const nth = occurrences.get(key) ?? 0;
    occurrences.set(key, nth + 1);
    resource.source = {
      ...resource.source,
      file,
      line: lineOfKind(cache, resolve(cwd, file), resource.ref.kind, nth) ?? 1,
      renderedFrom: { ...resource.source.renderedFrom!, template: file },
    };
  });
}

const KIND_LINE = /^kind:\s*["']?([A-Za-z0-9]+)["']?\s*$/;

function lineOfKind(cache: SourceCache, file: string, kind: string, nth: number): number | undefined {
  let byKind = cache.kindLines.get(file);
  if (!byKind) {
    byKind = new Map();
    cache.kindLines.set(file, byKind);
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch {
      /* no line to point at */
    }
    text.split("\n").forEach((line, i) => {
      const k = KIND_LINE.exec(line)?.[1];
      if (k) byKind!.set(k, [...(byKind!.get(k) ?? []), i + 1]);
    });
  }
  return byKind.get(kind)?.[nth];
}

/** Finds the file (and line) among the kustomization's sources that declares each built object. */
export function attributeKustomizeSources(resources: Resource[], files: string[], cwd: string, cache: SourceCache): void {
  const index = new Map<string, { file: string; line: number }>();
  for (const file of files.filter((f) => /\.ya?ml$/.test(f))) {
    let declared = cache.declared.get(file);
    if (!declared) {
      let text = "";
      try {
        text = readFileSync(file, "utf8");
      } catch {
        /* reported by the render */
      }
      declared = parseManifestStream(text, { file: relative(cwd, file) }).resources.map((r) => ({
        key: `${r.ref.kind}/${r.ref.name}`,
        file: r.source.file,
        line: r.source.line,
      }));
      cache.declared.set(file, declared);
    }
    for (const d of declared) if (!index.has(d.key)) index.set(d.key, { file: d.file, line: d.line });
  }
  for (const resource of resources) {
    const found = index.get(`${resource.ref.kind}/${resource.ref.name}`) ?? findByPrefixSuffix(index, resource.ref.kind, resource.ref.name);
    if (found) resource.source = { ...resource.source, file: found.file, line: found.line };
  }
}

function findByPrefixSuffix(
  index: Map<string, { file: string; line: number }>,
  kind: string,
  name: string,
): { file: string; line: number } | undefined {
  let best: { file: string; line: number } | undefined;
  let bestLength = 0;
  for (const [key, value] of index) {
    const [k, n] = key.split("/") as [string, string];
    if (k === kind && n.length > bestLength && name.includes(n)) {
      best = value;
      bestLength = n.length;
    }
  }
  return best;
}
