/**
 * The kustomization fields that set a field of the objects they build: `replicas:`, `images:`,
 * `namePrefix`/`nameSuffix`, `namespace:`, `commonLabels`/`labels`/`commonAnnotations`, and the
 * ConfigMap and Secret generators (the entry, and the literal, file or env line of a data key).
 */
import { basename, relative, resolve } from "node:path";
import { valueAtPath, type FieldPath } from "../k8s/field-path.js";
import type { FieldLocation } from "../types.js";
import type { Kustomization, ResourceFacts } from "./kustomize-tree.js";
import { isRecord } from "../records.js";
import type { LocateContext } from "./types.js";
import { positionOf } from "./yaml-file.js";

const samePath = (a: FieldPath, b: FieldPath) => a.length === b.length && a.every((s, i) => s === b[i]);
const entries = (value: unknown): Array<Record<string, unknown> | undefined> =>
  Array.isArray(value) ? value.map((v) => (isRecord(v) ? v : undefined)) : [];

/** The key at `at` in kustomization `k`, as a transformer location. */
function at(k: Kustomization, path: FieldPath): FieldLocation | undefined {
  const position = positionOf(k.yaml, 0, [], path);
  return position?.found ? { file: k.file, line: position.line, column: position.column, via: "kustomize-transformer" } : undefined;
}

/** `ghcr.io/a/b:1.0@sha256:…` → `ghcr.io/a/b` (a registry port stays: the tag is after the last `/`). */
function imageName(image: string): string {
  const withoutDigest = image.split("@")[0]!;
  const colon = withoutDigest.lastIndexOf(":");
  return colon > withoutDigest.lastIndexOf("/") ? withoutDigest.slice(0, colon) : withoutDigest;
}

const CONTAINER_LISTS = new Set(["containers", "initContainers", "ephemeralContainers"]);

function imageHit(k: Kustomization, path: FieldPath, built: unknown): FieldLocation | undefined {
  if (path.at(-1) !== "image" || !CONTAINER_LISTS.has(String(path.at(-3)))) return undefined;
  const image = valueAtPath(built, path);
  if (typeof image !== "string") return undefined;
  const name = imageName(image);
  const list = entries(k.fields.images);
  const index = list.findIndex((e) => e && (e.name === name || e.newName === name));
  if (index < 0) return undefined;
  const entry = list[index]!;
  const key = ["newTag", "digest", "newName"].find((k) => entry[k] !== undefined) ?? "name";
  return at(k, ["images", index, key]);
}

function replicasHit(k: Kustomization, path: FieldPath, facts: ResourceFacts): FieldLocation | undefined {
  if (!samePath(path, ["spec", "replicas"])) return undefined;
  const index = entries(k.fields.replicas).findIndex((e) => typeof e?.name === "string" && facts.names.has(e.name));
  return index < 0 ? undefined : (at(k, ["replicas", index, "count"]) ?? at(k, ["replicas", index]));
}

function nameHit(k: Kustomization, path: FieldPath): FieldLocation | undefined {
  if (samePath(path, ["metadata", "name"])) {
    const key = ["namePrefix", "nameSuffix"].find((key) => typeof k.fields[key] === "string" && k.fields[key] !== "");
    return key ? at(k, [key]) : undefined;
  }
  if (samePath(path, ["metadata", "namespace"]) && typeof k.fields.namespace === "string" && k.fields.namespace !== "")
    return at(k, ["namespace"]);
  return undefined;
}

type MapPlace = "metadata" | "template" | "selector";

/** Where a label or annotation key sits: the object's own metadata, a pod template's, or a selector. */
function mapKeyAt(path: FieldPath, map: "labels" | "annotations"): { key: string; place: MapPlace } | undefined {
  const key = path.at(-1);
  if (typeof key !== "string") return undefined;
  const parent = path.slice(0, -1);
  if (samePath(parent, ["metadata", map])) return { key, place: "metadata" };
  if (parent.length >= 4 && samePath(parent.slice(-3), ["template", "metadata", map])) return { key, place: "template" };
  if (map === "labels" && (samePath(parent, ["spec", "selector", "matchLabels"]) || samePath(parent, ["spec", "selector"])))
    return { key, place: "selector" };
  return undefined;
}

function labelHit(k: Kustomization, path: FieldPath): FieldLocation | undefined {
  const label = mapKeyAt(path, "labels");
  if (label) {
    const common = k.fields.commonLabels;
    if (isRecord(common) && label.key in common) return at(k, ["commonLabels", label.key]);
    const list = entries(k.fields.labels);
    for (let i = list.length - 1; i >= 0; i--) {
      const entry = list[i];
      if (!entry || !isRecord(entry.pairs) || !(label.key in entry.pairs)) continue;
      const applies =
        label.place === "metadata" || entry.includeSelectors === true || (label.place === "template" && entry.includeTemplates === true);
      if (applies) return at(k, ["labels", i, "pairs", label.key]);
    }
  }
  const annotation = mapKeyAt(path, "annotations");
  const common = k.fields.commonAnnotations;
  if (annotation && isRecord(common) && annotation.key in common) return at(k, ["commonAnnotations", annotation.key]);
  return undefined;
}

/** The line of a transformer field of `k` that sets the field, if any. */
export function transformerHit(k: Kustomization, path: FieldPath, facts: ResourceFacts, built: unknown): FieldLocation | undefined {
  return imageHit(k, path, built) ?? replicasHit(k, path, facts) ?? nameHit(k, path) ?? labelHit(k, path);
}

/** The generator entry of `k` that generates the resource. */
export interface GeneratorEntry {
  field: "configMapGenerator" | "secretGenerator";
  index: number;
  entry: Record<string, unknown>;
}

/** The ConfigMap or Secret generator entry of `k` named like the resource. */
export function generatorEntry(k: Kustomization, facts: ResourceFacts): GeneratorEntry | undefined {
  const field = facts.kind === "ConfigMap" ? "configMapGenerator" : facts.kind === "Secret" ? "secretGenerator" : undefined;
  if (!field) return undefined;
  const list = entries(k.fields[field]);
  const index = list.findIndex((e) => typeof e?.name === "string" && facts.names.has(e.name));
  return index < 0 ? undefined : { field, index, entry: list[index]! };
}

/** The generator entry's `name:` line. */
export function generatorLine(k: Kustomization, generator: GeneratorEntry): FieldLocation | undefined {
  return at(k, [generator.field, generator.index, "name"]) ?? at(k, [generator.field, generator.index]);
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);

/** The literal, file or env-file line of the generator entry that gives the data key at `path`. */
export function generatorDataHit(
  k: Kustomization,
  generator: GeneratorEntry,
  path: FieldPath,
  context: LocateContext,
): FieldLocation | undefined {
  const dataKey = path.length === 2 && ["data", "stringData", "binaryData"].includes(String(path[0])) ? String(path[1]) : undefined;
  if (dataKey === undefined) return undefined;
  const { field, index, entry } = generator;
  const literal = strings(entry.literals).findIndex((l) => l.startsWith(`${dataKey}=`));
  if (literal >= 0) return at(k, [field, index, "literals", literal]);
  const file = strings(entry.files).findIndex((f) => f.startsWith(`${dataKey}=`) || (!f.includes("=") && basename(f) === dataKey));
  if (file >= 0) return at(k, [field, index, "files", file]);
  const envKey = new RegExp(`^\\s*(?:export\\s+)?${dataKey.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*=`);
  for (const env of [...strings(entry.envs), ...(typeof entry.env === "string" ? [entry.env] : [])]) {
    const name = relative(context.cwd, resolve(k.dir, env));
    const text = context.files.get(name)?.text;
    const line = text?.split("\n").findIndex((l) => envKey.test(l)) ?? -1;
    if (line >= 0) return { file: name, line: line + 1, column: 1, via: "kustomize-transformer" };
  }
  return undefined;
}
