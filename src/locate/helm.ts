/**
 * Helm renders: the template (or helper) line that renders a field, and the values key it comes from.
 *
 * The chart is rendered a second time, only for units with findings, from a copy whose template lines
 * carry comment tags (helm-tag.ts); the tag on the rendered line of the field names the template line.
 * When that render fails or its object differs from the audited one, the field's key is searched in the
 * object's part of its template. See docs/locations.md.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { isMap } from "yaml";
import { type FieldPath, formatPath, valueAtPath } from "../k8s/field-path.js";
import { DEFAULT_KUBE_VERSION, renderHelm } from "../loaders/render.js";
import { helmRenderKey, renderThroughCache } from "../loaders/render-cache.js";
import type { FieldLocation, Resource } from "../types.js";
import { tagsOf, tagTemplate } from "./helm-tag.js";
import { includedValuesRefs, valuesRefs } from "./helm-values.js";
import type { LocateContext, LocateRequest } from "./types.js";
import { parseFastYaml, type FastParse } from "../loaders/fast-yaml.js";
import { lineTable } from "../yaml/block-lines.js";
import { BlockIndex } from "./block-yaml.js";
import { fastFieldPositionOf, UNSURE, type FieldPosition } from "./fast-position.js";
import { isRecord } from "../records.js";
import { parseYaml, positionOf, type YamlFile } from "./yaml-file.js";

/**
 * A unit's chart rendered from its tagged copy. The stream is read by the fast parser when it is in its
 * subset (documents numbered as `yaml` numbers them), and positions come from the block index; `yaml`'s
 * document model is built only when either cannot answer (same answers, slower).
 */
interface TaggedRender {
  text: string;
  lines: string[];
  /** Template files by tag number, relative to the chart. */
  files: string[];
  /** Per document: the template it came from (`chart/templates/x.yaml`), its kind and name. */
  documents: Array<{ template: string; kind: string; name: string }>;
  /** The documents as the fast parser read them; undefined when the stream is outside its subset. */
  fast?: FastParse;
  blocks?: BlockIndex;
  slow?: YamlFile;
  /** Documents read as objects so far, by index. */
  objects: Map<number, unknown>;
}

const slowOf = (render: TaggedRender): YamlFile => (render.slow ??= parseYaml(render.text));

/** Document `index` of the render as an object. */
function renderedObject(render: TaggedRender, index: number): unknown {
  if (!render.objects.has(index))
    render.objects.set(index, render.fast ? render.fast.documents[index]?.value : slowOf(render).documents[index]?.toJS());
  return render.objects.get(index);
}

/** Where `path` lands in document `index` of the render: by the block index when it is certain, else by `yaml`. */
function renderedPosition(render: TaggedRender, index: number, path: FieldPath): FieldPosition | undefined {
  const start = render.fast?.documents[index]?.line;
  if (start !== undefined) {
    const fast = fastFieldPositionOf((render.blocks ??= new BlockIndex(render.text)), start, [], path);
    if (fast !== UNSURE) return fast;
  }
  return positionOf(slowOf(render), index, [], path);
}

/** Where a rendered line came from: a template line, and whether the line lies in a `nindent` action's output. */
interface Owner {
  file: number;
  line: number;
  inOutput: boolean;
}

/** The locator of Helm units. */
export async function locateHelm(request: LocateRequest, context: LocateContext): Promise<FieldLocation | undefined> {
  const { resource, path } = request;
  const origin = resource.source.renderedFrom;
  // The object as a whole: its `kind:` line, where the loader already points.
  if (!origin?.template || origin.tool !== "helm" || path.length === 0) return undefined;
  const render = await taggedRender(request, context);
  return (render && fromTaggedRender(render, request, context)) ?? fromTemplateText(resource, path, context);
}

/** Whether placing `request` needs its unit's tagged render (locateFindings starts those ahead). */
export function needsTaggedRender(request: LocateRequest): boolean {
  const origin = request.resource.source.renderedFrom;
  return request.unit.kind === "helm" && origin?.tool === "helm" && !!origin.template && !!origin.values && request.path.length > 0;
}

/** The unit's tagged render, started once per run; the Helm processes of several units run side by side (context.render). */
export function taggedRender(request: LocateRequest, context: LocateContext): Promise<TaggedRender | undefined> {
  const key = `helm:${request.unit.id}`;
  let pending = context.memo.get(key) as Promise<TaggedRender | undefined> | undefined;
  if (!pending) {
    pending = renderTagged(request, context).catch(() => undefined);
    context.memo.set(key, pending);
  }
  return pending;
}

const TEMPLATE_FILE = /\.(?:ya?ml|tpl)$/;

/** Template files (`.yaml`, `.yml`, `.tpl` under a `templates/` folder) of a chart and its unpacked subcharts. */
function templateFiles(chart: string, dir = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(chart, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...templateFiles(chart, rel));
    else if (entry.isFile() && TEMPLATE_FILE.test(entry.name) && `/${rel}`.includes("/templates/")) out.push(rel);
  }
  return out;
}

/** A copy of a chart whose templates carry tags, and its template files by tag number. */
interface TaggedCopy {
  dir: string;
  files: string[];
}

function makeTaggedCopy(chart: string): TaggedCopy & { remove(): void } {
  const temp = mkdtempSync(join(tmpdir(), "erlmcp-audit-helm-"));
  const remove = () => rmSync(temp, { recursive: true, force: true });
  try {
    const dir = join(temp, basename(chart));
    cpSync(chart, dir, { recursive: true, dereference: true });
    const files = templateFiles(dir);
    files.forEach((file, index) => {
      const at = join(dir, file);
      writeFileSync(at, tagTemplate(readFileSync(at, "utf8"), index));
    });
    return { dir, files, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/** Runs `use` on a tagged copy of `chart`: one copy per chart and run, shared by its units, when the context cleans up after the run. */
async function withTaggedCopy<T>(chart: string, context: LocateContext, use: (copy: TaggedCopy) => Promise<T>): Promise<T> {
  if (!context.cleanup) {
    const copy = makeTaggedCopy(chart);
    try {
      return await use(copy);
    } finally {
      copy.remove();
    }
  }
  const key = `helm:copy:${chart}`;
  let copy = context.memo.get(key) as TaggedCopy | undefined;
  if (!copy) {
    const made = makeTaggedCopy(chart);
    context.cleanup.push(made.remove);
    context.memo.set(key, made);
    copy = made;
  }
  return use(copy);
}

async function renderTagged(request: LocateRequest, context: LocateContext): Promise<TaggedRender | undefined> {
  const origin = request.resource.source.renderedFrom!;
  const values = origin.values;
  if (!values) return undefined;
  const chart = resolve(context.cwd, origin.path);
  const options = context.helm ?? { kubeVersion: DEFAULT_KUBE_VERSION };
  const render = context.render ?? (<T>(task: () => Promise<T>) => task());
  let copied: string[] | undefined;
  const out = await renderThroughCache(
    context.cache,
    () => helmRenderKey(origin.path, values, options, context.cwd, request.unit.id, "tagged"),
    () =>
      withTaggedCopy(chart, context, ({ dir, files }) => {
        copied = files;
        return render(() => renderHelm(origin.path, values, options, context.cwd, request.unit.id, dir));
      }),
  );
  if (out.stdout === undefined) return undefined;
  // From the cache, the chart's own list: a keyed chart holds no symbolic link, so its copy lists the same files.
  return readTaggedRender(out.stdout, copied ?? templateFiles(chart), origin.path);
}

/** A tagged render's documents: the template, kind and name of each. */
function readTaggedRender(text: string, files: string[], chartPath: string): TaggedRender {
  const lines = text.split("\n");
  const fast = parseFastYaml(text, { rendered: true });
  if (fast === "unsure") {
    const slow = parseYaml(text);
    const documents = slow.documents.map((document) => ({
      template: templateBefore(text, document.contents?.range?.[0] ?? document.range?.[0] ?? 0, chartPath),
      kind: String(isMap(document.contents) ? document.get("kind") : ""),
      name: String(isMap(document.contents) ? document.getIn(["metadata", "name"]) : ""),
    }));
    return { text, lines, files, documents, slow, objects: new Map() };
  }
  const { starts } = lineTable(text);
  const documents = fast.documents.map(({ value, line }) => {
    const object = value as { kind?: unknown; metadata?: { name?: unknown } } | null;
    return {
      template: object === null ? "" : templateBefore(text, starts[line - 1] ?? text.length, chartPath),
      kind: object === null ? "" : String(object.kind),
      name: object === null ? "" : String(isRecord(object.metadata) ? object.metadata.name : undefined),
    };
  });
  return { text, lines, files, documents, fast, objects: new Map() };
}

/** The template of a rendered document, from the last `# Source:` comment before its content (at offset `start`). */
function templateBefore(stream: string, start: number, chartPath: string): string {
  const before = stream.slice(0, start);
  const at = before.lastIndexOf("# Source: ");
  if (at < 0) return "";
  const source = before
    .slice(at + "# Source: ".length)
    .split("\n")[0]!
    .trim();
  return join(chartPath, source.split("/").slice(1).join("/"));
}

/** The tagged document rendering `resource`: same template, kind and name, and the same rank among those. */
function documentOf(render: TaggedRender, request: LocateRequest): number | undefined {
  const { resource, unit } = request;
  if (resource.source.itemPath?.length) return undefined;
  const same = (r: Resource) =>
    r.source.renderedFrom?.template === resource.source.renderedFrom?.template &&
    r.ref.kind === resource.ref.kind &&
    r.ref.name === resource.ref.name;
  const rank = unit.resources.filter(same).indexOf(resource);
  const template = resource.source.renderedFrom?.template;
  const candidates = render.documents.flatMap((d, i) =>
    d.template === template && d.kind === resource.ref.kind && d.name === resource.ref.name ? [i] : [],
  );
  return rank < 0 ? undefined : candidates[rank];
}

function fromTaggedRender(render: TaggedRender, request: LocateRequest, context: LocateContext): FieldLocation | undefined {
  const { resource, path } = request;
  const index = documentOf(render, request);
  if (index === undefined) return undefined;
  const located = renderedPosition(render, index, path);
  if (!located) return undefined;
  // The tags must not have changed what is located: the rendered value there is the audited one.
  const at = path.slice(0, located.depth);
  if (!sameValue(valueAtPath(renderedObject(render, index), at), valueAtPath(resource.object, at))) return undefined;
  // Depth 0 would be the document's first line: the object's `kind:` line says more (the caller's fallback).
  for (let depth = located.depth; depth >= 1; depth--) {
    const line = depth === located.depth ? located.line : renderedPosition(render, index, path.slice(0, depth))?.line;
    const owner = line === undefined ? undefined : ownerOf(render.lines, line);
    if (!owner) continue;
    const file = join(resource.source.renderedFrom!.path, render.files[owner.file] ?? "");
    const ownSuffix = owner.inOutput ? outputSuffix(render, index, path.slice(0, depth), owner) : [];
    const template = readText(context, file);
    const text = template?.split("\n")[owner.line - 1] ?? "";
    const values = template ? valuesOf(template, owner.line, ownSuffix, path.slice(0, depth), render, request, context) : undefined;
    const column = owner.inOutput ? undefined : columnOf(text, path[depth - 1]!);
    return {
      file,
      line: owner.line,
      ...(column ? { column } : {}),
      via: file === resource.source.renderedFrom!.template ? "helm-template" : "helm-helper",
      ...(values ? { values } : {}),
    };
  }
  return undefined;
}

/** The 1-based column of `key:` (or of the item's `-`) in a template line, when the line writes it. */
function columnOf(text: string, key: string | number): number | undefined {
  const at = typeof key === "number" ? /^\s*-(?:\s|$)/.exec(text)?.[0].indexOf("-") : text.indexOf(`${key}:`);
  return at === undefined || at < 0 ? undefined : at + 1;
}

/**
 * The template line that wrote rendered line `line` (1-based): the first tag after its text; else the
 * `nindent` action whose output the line lies in (a start tag above it, not yet ended).
 */
function ownerOf(lines: string[], line: number): Owner | undefined {
  const text = lines[line - 1] ?? "";
  const own = tagsOf(text)[0];
  if (own && text.slice(0, text.indexOf("#@")).trim() !== "") return { file: own.file, line: own.line, inOutput: false };
  for (let i = line - 1; i >= 1; i--) {
    const last = tagsOf(lines[i - 1] ?? "").at(-1);
    if (!last) continue;
    return last.kind === "B" ? { file: last.file, line: last.line, inOutput: true } : undefined;
  }
  return undefined;
}

/** The part of `path` written by the `nindent` action `owner`: the keys of the field and of its parents the action wrote. */
function outputSuffix(render: TaggedRender, index: number, path: FieldPath, owner: Owner): FieldPath {
  if (path.length === 0) return [];
  let start = path.length;
  while (start > 1) {
    const line = renderedPosition(render, index, path.slice(0, start - 1))?.line;
    const above = line === undefined ? undefined : ownerOf(render.lines, line);
    if (!above?.inOutput || above.file !== owner.file || above.line !== owner.line) break;
    start--;
  }
  return path.slice(start - 1);
}

function readText(context: LocateContext, file: string): string | undefined {
  const key = `helm:text:${file}`;
  if (!context.memo.has(key)) {
    let text: string | undefined;
    try {
      text = readFileSync(resolve(context.cwd, file), "utf8");
    } catch {
      text = undefined;
    }
    context.memo.set(key, text);
  }
  return context.memo.get(key) as string | undefined;
}

/**
 * The values key the template line reads (or, when it reads none, the `define`s it includes read), in
 * the unit's values file or else the chart's values.yaml: the reference named like the field first;
 * below a `toYaml` of values, the field's own key under it.
 */
function valuesOf(
  template: string,
  line: number,
  suffix: FieldPath,
  path: FieldPath,
  render: TaggedRender,
  request: LocateRequest,
  context: LocateContext,
): FieldLocation["values"] {
  const origin = request.resource.source.renderedFrom!;
  const templates = () => render.files.map((f) => readText(context, join(origin.path, f)) ?? "");
  const files = [origin.values, join(origin.path, "values.yaml")].filter((f, i, all): f is string => !!f && all.indexOf(f) === i);
  const own = valuesRefs(template, line);
  // A helper reads keys it may not use (`fullnameOverride: ""`): only a key with a value can have rendered the field.
  const helper = own.length === 0;
  const refs = helper ? includedValuesRefs(template.split("\n")[line - 1] ?? "", templates()) : own;
  for (const ref of preferred(refs, path.at(-1))) {
    for (const key of suffix.length ? [[...ref, ...suffix], ref] : [ref]) {
      // The unit's values file overrides values.yaml: the first file that sets the key renders it.
      const set = files.flatMap((file) => {
        const parsed = context.files.get(file);
        const position = parsed && positionOf(parsed, 0, [], key);
        return parsed && position?.found ? [{ file, line: position.line, value: parsed.documents[0]?.getIn(key) as unknown }] : [];
      })[0];
      if (set && (!helper || (set.value !== null && set.value !== ""))) return { file: set.file, key: formatPath(key), line: set.line };
    }
  }
  return undefined;
}

/** Keys named like the field first; then, for several keys, the map holding them all (`image` for `image.repository` and `image.tag`). */
function preferred(refs: string[][], leaf: string | number | undefined): string[][] {
  const named = refs.filter((r) => r.at(-1) === leaf);
  const [first = [], ...rest] = refs;
  let shared = first.length;
  for (const ref of rest) {
    let i = 0;
    while (i < shared && ref[i] === first[i]) i++;
    shared = i;
  }
  const common = first.slice(0, shared);
  return [...named, ...(refs.length > 1 && common.length ? [common] : []), ...refs];
}

/** Equal as the audit reads them (null-valued keys are absent). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b || ((a ?? null) === null && (b ?? null) === null)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== null);
    const ka = keys(a);
    const kb = keys(b);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/**
 * Without a tagged render: the line of the field's key in the object's part of its template (from its
 * `kind:` line to the next document), each key of the path searched below the previous one.
 */
function fromTemplateText(resource: Resource, path: FieldPath, context: LocateContext): FieldLocation | undefined {
  const file = resource.source.renderedFrom!.template!;
  const text = readText(context, file);
  if (!text) return undefined;
  const lines = text.split("\n");
  let end = lines.findIndex((l, i) => i >= resource.source.line && /^---/.test(l));
  if (end < 0) end = lines.length;
  let line: number | undefined;
  let column: number | undefined;
  let from = Math.max(0, resource.source.line - 1);
  for (const key of path) {
    if (typeof key === "number") continue;
    const pattern = new RegExp(`^(\\s*(?:-\\s+)?)["']?${key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']?\\s*:`);
    const found = lines.slice(from, end).findIndex((l) => pattern.test(l));
    if (found < 0) break;
    from += found;
    line = from + 1;
    column = (pattern.exec(lines[from]!)?.[1]?.length ?? 0) + 1;
    from++;
  }
  return line === undefined ? undefined : { file, line, column, via: "helm-template" };
}
