/**
 * What one kustomization reads: the kustomizations it builds on (resources, bases, components that are
 * folders), the files it emits as resources, and the files it reads for something else (patches,
 * generator sources, transformer configs). Remote references (URLs, `?ref=`) are left out.
 */
import { readRegularFile } from "../tools/read-regular-file.js";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { isDirectory, isFile, isSpecial } from "./path-kind.js";

/** The names kustomize looks for in a folder, in its order. */
export const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** The local references of one kustomization, as absolute paths. */
export interface KustomizationRefs {
  /** Absolute path of the kustomization file. */
  file: string;
  /** Folders it builds on (resources, bases, components that are folders). */
  dependencies: string[];
  /** Files it emits as objects (`resources` that are files). */
  resources: string[];
  /** Files it reads for something else, with what kustomize uses each for (patch, generator source…). */
  others: Map<string, string>;
  /** What it names that is a FIFO, socket or device (kustomize would read it without end or wait on it). */
  special: string[];
}

/** The kustomization file of `dir`, if it has one. */
export function kustomizationFile(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((name) => join(dir, name)).find(isFile);
}

const isRemote = (ref: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || ref.includes("?ref=") || ref.startsWith("git@");
const strings = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === "string");
const records = (value: unknown): Array<Record<string, unknown>> =>
  (Array.isArray(value) ? value : []).filter((v): v is Record<string, unknown> => !!v && typeof v === "object");

/** `key=path` in a generator's `files` names the file `path`. */
const generatorFile = (entry: string) => entry.slice(entry.indexOf("=") + 1);

/** Non-resource file references by field: the field, how to read the paths out of it, and what kustomize uses them for. */
const OTHER_REFERENCES: Array<[string, (value: unknown) => string[], string]> = [
  ["patches", (v) => records(v).flatMap((p) => strings(p.path)), "patch"],
  ["patchesStrategicMerge", (v) => strings(v).filter((p) => !p.includes("\n")), "patch (patchesStrategicMerge)"],
  ["patchesJson6902", (v) => records(v).flatMap((p) => strings(p.path)), "patch (patchesJson6902)"],
  ["replacements", (v) => records(v).flatMap((r) => strings(r.path)), "replacements"],
  ["crds", strings, "CRD schema kustomize reads to merge custom resources (not emitted)"],
  ["configurations", strings, "transformer configuration"],
  ["generators", strings, "generator configuration"],
  ["transformers", strings, "transformer configuration"],
  ["validators", strings, "validator configuration"],
  ["openapi", (v) => (v && typeof v === "object" ? strings((v as Record<string, unknown>).path) : []), "OpenAPI schema"],
  ...(["configMapGenerator", "secretGenerator"] as const).map((field): [string, (value: unknown) => string[], string] => [
    field,
    (v) => records(v).flatMap((g) => [...strings(g.files).map(generatorFile), ...strings(g.envs), ...strings(g.env)]),
    `${field} source`,
  ]),
];

/** The local references of the kustomization in `dir`; undefined when it has none or it cannot be parsed (the build reports why). */
export function readKustomization(dir: string): KustomizationRefs | undefined {
  const file = kustomizationFile(dir);
  if (!file) return undefined;
  let k: Record<string, unknown>;
  try {
    const parsed: unknown = parse(readRegularFile(file).toString("utf8"));
    k = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    return { file, dependencies: [], resources: [], others: new Map(), special: [] };
  }
  const local = (refs: string[]) => refs.filter((r) => !isRemote(r)).map((r) => resolve(dir, r));
  const refs = local(["resources", "bases", "components"].flatMap((key) => strings(k[key])));
  const others = new Map<string, string>();
  const special = refs.filter(isSpecial);
  for (const [field, paths, use] of OTHER_REFERENCES) {
    for (const path of local(paths(k[field]))) {
      if (!others.has(path) && isFile(path)) others.set(path, use);
      else if (isSpecial(path)) special.push(path);
    }
  }
  return { file, dependencies: refs.filter(isDirectory), resources: refs.filter(isFile), others, special };
}

/** Local folders the kustomization in `dir` builds on (resources, bases, components). */
export function kustomizationDependencies(dir: string): string[] {
  return readKustomization(dir)?.dependencies ?? [];
}

/** The local files a kustomization build reads, its own and those of the kustomizations it builds on. */
export interface KustomizationSources {
  /** Kustomization files and resource files: the files that declare the built objects. */
  declaring: string[];
  /** The kustomization files among them, the one of `dir` first. */
  kustomizations: string[];
  /** Patches, generator sources and other files read for something else. */
  others: string[];
  /** What the build would read that is a FIFO, socket or device, a kustomization file among them. */
  special: string[];
}

/** Every local file the build of the kustomization in `dir` reads. */
export function kustomizationSources(dir: string): KustomizationSources {
  const declaring: string[] = [];
  const kustomizations: string[] = [];
  const others: string[] = [];
  const special: string[] = [];
  const seen = new Set<string>();
  const visit = (d: string) => {
    if (seen.has(d)) return;
    seen.add(d);
    // kustomize reads the first of these names that exists, whatever it is.
    const first = KUSTOMIZATION_FILES.map((name) => join(d, name)).find((f) => isFile(f) || isSpecial(f));
    if (first && isSpecial(first)) special.push(first);
    const k = readKustomization(d);
    if (!k) return;
    declaring.push(k.file, ...k.resources);
    kustomizations.push(k.file);
    others.push(...k.others.keys());
    special.push(...k.special);
    k.dependencies.forEach(visit);
  };
  visit(dir);
  return { declaring, kustomizations, others, special };
}
