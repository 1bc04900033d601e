/**
 * A built object's list indexes mapped onto another document of the same object (a base, a patch):
 * lists Kubernetes merges by key (containers and env by `name`, ports by `containerPort`…) are matched
 * by that key, for a strategic merge reorders them; other lists by index.
 */
import type { FieldPath } from "../k8s/field-path.js";
import { isRecord } from "../records.js";

/** The merge keys of the lists Kubernetes merges by key, by the list's field name (first present key wins). */
const MERGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ["name"],
  initContainers: ["name"],
  ephemeralContainers: ["name"],
  volumes: ["name"],
  env: ["name"],
  imagePullSecrets: ["name"],
  ports: ["containerPort", "port"],
  volumeMounts: ["mountPath"],
  volumeDevices: ["devicePath"],
  hostAliases: ["ip"],
  topologySpreadConstraints: ["topologyKey"],
};

type Record_ = Record<string, unknown>;

/** A plain mapping (not a list, not null). */

function mergeKey(listField: string | number | undefined, item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  const keys = (typeof listField === "string" ? MERGE_KEYS[listField] : undefined) ?? ["name"];
  return keys.find((key) => item[key] !== undefined && item[key] !== null);
}

/** `path` of the built object rewritten for `document` (its own list indexes); how far it got. */
export interface TranslatedPath {
  path: FieldPath;
  /** Every segment of the built path exists in `document`. */
  complete: boolean;
}

/** Rewrites the list indexes of `path` (a path in `built`) into indexes of the same items in `document`. */
export function translatePath(document: unknown, built: unknown, path: FieldPath): TranslatedPath {
  const out: Array<string | number> = [];
  let here = document;
  let there = built;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    if (typeof segment === "number") {
      if (!Array.isArray(here)) return { path: out, complete: false };
      const item: unknown = Array.isArray(there) ? there[segment] : undefined;
      const key = mergeKey(path[i - 1], item);
      const index = key
        ? here.findIndex((candidate) => isRecord(candidate) && candidate[key] === (item as Record_)[key])
        : segment < here.length
          ? segment
          : -1;
      if (index < 0) return { path: out, complete: false };
      out.push(index);
      here = here[index];
      there = item;
    } else {
      if (!isRecord(here) || !(segment in here)) return { path: out, complete: false };
      out.push(segment);
      here = here[segment];
      there = isRecord(there) ? there[segment] : undefined;
    }
  }
  return { path: out, complete: true };
}
