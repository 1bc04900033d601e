/**
 * The kustomizations of one build as a tree (resources and bases, components), each parsed with its
 * positions, walked outermost first (the outermost kustomization that sets a field is applied last),
 * and the selection of the resource a patch or a transformer entry targets.
 */
import { relative, resolve } from "node:path";
import { kustomizationFile } from "../loaders/kustomization.js";
import type { Resource } from "../types.js";
import { isRecord } from "../records.js";
import type { LocateContext } from "./types.js";
import type { YamlFile } from "./yaml-file.js";

/** One kustomization file, parsed. */
export interface Kustomization {
  /** The kustomization file, relative to the working directory (as findings name files). */
  file: string;
  dir: string;
  yaml: YamlFile;
  /** Its content as plain data. */
  fields: Record<string, unknown>;
  /** Kustomizations it builds on (`resources:` and `bases:` folders), in their order. */
  resources: Kustomization[];
  /** Components it applies, in their order. */
  components: Kustomization[];
  /** Absolute paths of the files its whole tree emits as objects. */
  treeFiles: Set<string>;
}

const isRemote = (ref: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || ref.includes("?ref=") || ref.startsWith("git@");
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** The kustomization of `dir` (absolute) and those it builds on; undefined when it has none or it does not parse. */
export function kustomizationTree(dir: string, context: LocateContext, visiting = new Set<string>()): Kustomization | undefined {
  const key = `kustomize:tree:${dir}`;
  if (context.memo.has(key)) return context.memo.get(key) as Kustomization | undefined;
  if (visiting.has(dir)) return undefined;
  visiting.add(dir);
  const found = kustomizationFile(dir);
  const file = found && relative(context.cwd, found);
  const yaml = file === undefined ? undefined : context.files.get(file);
  const fields: unknown = yaml?.documents[0]?.toJS({ maxAliasCount: 1000 });
  let tree: Kustomization | undefined;
  if (file !== undefined && yaml && isRecord(fields)) {
    const local = (key: string) => strings(fields[key]).filter((ref) => !isRemote(ref));
    const folders = (refs: string[]) =>
      refs.map((ref) => kustomizationTree(resolve(dir, ref), context, visiting)).filter((k): k is Kustomization => k !== undefined);
    const resourceRefs = [...local("resources"), ...local("bases")];
    const resources = folders(resourceRefs);
    const components = folders(local("components"));
    const treeFiles = new Set(resourceRefs.map((ref) => resolve(dir, ref)).filter((path) => /\.(ya?ml|json)$/i.test(path)));
    for (const child of [...resources, ...components]) for (const path of child.treeFiles) treeFiles.add(path);
    tree = { file, dir, yaml, fields, resources, components, treeFiles };
  }
  visiting.delete(dir);
  context.memo.set(key, tree);
  return tree;
}

/**
 * The kustomizations that may touch an object, outermost first: the kustomization itself, its
 * components (the last listed is applied last), then the folders it builds on whose tree emits the
 * object's source file (absolute; all of them when no tree does or it is unknown: a generated or
 * remote object).
 */
export function* outermostFirst(root: Kustomization, source: string | undefined): Generator<Kustomization> {
  const known = source !== undefined && root.treeFiles.has(source);
  const seen = new Set<Kustomization>();
  function* visit(k: Kustomization): Generator<Kustomization> {
    if (seen.has(k)) return;
    seen.add(k);
    yield k;
    for (const component of [...k.components].reverse()) yield* visit(component);
    for (const base of k.resources) if (!known || base.treeFiles.has(source)) yield* visit(base);
  }
  yield* visit(root);
}

/** What a patch target or an entry is matched against: the resource at every stage of the build. */
export interface ResourceFacts {
  kind: string;
  group: string;
  version: string;
  /** Its names along the build (see namesAlongBuild) and its name in its source. */
  names: Set<string>;
  /** Its built namespace and its namespace in its source. */
  namespaces: Set<string>;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The hash kustomize appends to a generated ConfigMap's or Secret's name (hex digits mapped to consonants and digits). */
const GENERATED_HASH = /-[2456789bcdfghkmt]{10}$/;

/**
 * Every name the object may have had along the build of `root`: its built name, without a generator's
 * hash, and without the `namePrefix`/`nameSuffix` of any kustomization of the tree (kustomize matches
 * patches and entries by any of an object's names).
 */
export function namesAlongBuild(root: Kustomization, kind: string, name: string): Set<string> {
  const names = new Set([name]);
  if ((kind === "ConfigMap" || kind === "Secret") && GENERATED_HASH.test(name)) names.add(name.replace(GENERATED_HASH, ""));
  const affixes: Array<[string, string]> = [];
  const collect = (k: Kustomization) => {
    const prefix = typeof k.fields.namePrefix === "string" ? k.fields.namePrefix : "";
    const suffix = typeof k.fields.nameSuffix === "string" ? k.fields.nameSuffix : "";
    if (prefix || suffix) affixes.push([prefix, suffix]);
    [...k.resources, ...k.components].forEach(collect);
  };
  collect(root);
  for (let round = 0; round < affixes.length; round++) {
    for (const current of [...names]) {
      for (const [prefix, suffix] of affixes) {
        let inner = current;
        if (prefix && inner.startsWith(prefix)) inner = inner.slice(prefix.length);
        if (suffix && inner.endsWith(suffix)) inner = inner.slice(0, -suffix.length);
        if (inner) names.add(inner);
      }
    }
  }
  return names;
}

/** The facts of `resource`, given its names along the build and its name and namespace in its source. */
export function resourceFacts(resource: Resource, names: Set<string>, original: { name?: string; namespace?: string }): ResourceFacts {
  const apiVersion = resource.object.apiVersion ?? "";
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  const metadata = resource.object.metadata ?? {};
  return {
    kind: resource.ref.kind,
    group: group ?? "",
    version: version ?? "",
    names: original.name ? new Set([...names, original.name]) : names,
    namespaces: new Set([resource.ref.namespace, metadata.namespace ?? "", original.namespace ?? ""].filter(Boolean)),
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
  };
}

/** kustomize reads a target's kind, name and namespace as anchored regular expressions. */
function matchesPattern(pattern: string, values: Iterable<string>): boolean {
  let regex: RegExp | undefined;
  try {
    regex = new RegExp(`^(?:${pattern})$`);
  } catch {
    regex = undefined;
  }
  for (const value of values) if (value === pattern || regex?.test(value)) return true;
  return false;
}

/** `a=b,c!=d,e,!f`; a set-based selector (`in`, `notin`) is not read and matches. */
function matchesSelector(selector: string, labels: Record<string, string>): boolean {
  // Commas inside `in (a, b)` separate values, not terms.
  const terms = selector.split(/,(?![^()]*\))/).map((t) => t.trim());
  for (const term of terms.filter(Boolean)) {
    if (/\s(in|notin)\s/.test(term)) continue;
    const [, key, op, value = ""] = /^(!?[^=!\s]+)\s*(?:(==|!=|=)\s*([^=!]*))?$/.exec(term) ?? [];
    if (key === undefined) continue;
    if (!op) {
      // Own keys only: `constructor` is a valid label key that every object inherits.
      if (key.startsWith("!") ? Object.hasOwn(labels, key.slice(1)) : !Object.hasOwn(labels, key)) return false;
    } else if ((labels[key] === value) === (op === "!=")) return false;
  }
  return true;
}

/** Whether a `target:` selector of `patches:`/`patchesJson6902:` (or a patch's own kind/name) selects the resource. */
export function selects(target: Record<string, unknown>, facts: ResourceFacts): boolean {
  const text = (key: string) => (typeof target[key] === "string" && target[key] !== "" ? (target[key] as string) : undefined);
  const kind = text("kind");
  const name = text("name");
  const namespace = text("namespace");
  const group = text("group");
  const version = text("version");
  if (kind !== undefined && !matchesPattern(kind, [facts.kind])) return false;
  if (name !== undefined && !matchesPattern(name, facts.names)) return false;
  if (namespace !== undefined && facts.namespaces.size > 0 && !matchesPattern(namespace, facts.namespaces)) return false;
  if (group !== undefined && group !== facts.group) return false;
  if (version !== undefined && version !== facts.version) return false;
  const labelSelector = text("labelSelector");
  const annotationSelector = text("annotationSelector");
  if (labelSelector !== undefined && !matchesSelector(labelSelector, facts.labels)) return false;
  if (annotationSelector !== undefined && !matchesSelector(annotationSelector, facts.annotations)) return false;
  return true;
}
