/**
 * YAML 1.1 merge keys (`<<`) read two ways. kubectl, Helm, Argo CD and the API server's YAML decoder
 * (sigs.k8s.io/yaml, a fork of go-yaml v2) apply a mapping's pairs in order, and a merge overwrites
 * the keys set before it: `{privileged: false, <<: {privileged: true}}` is `privileged: true` there.
 * The YAML merge specification, `yaml` (this loader) and go-yaml v3 keep the explicit key:
 * `privileged: false`. A mapping whose merge supplies a key set earlier in the same mapping (by a
 * pair or by an earlier merge) means different things to different tools, so it is refused as an
 * input error rather than judged in one reading. Keys set after a merge win in every reading.
 */
import { isAlias, isMap, isScalar, isSeq, visit, type Document, type Node, type Pair, type YAMLMap } from "yaml";

/** Merge sources nest at most this deep (alias chains are bounded by the alias limit too). */
const MAX_MERGE_DEPTH = 64;

/** A key whose value two YAML readers disagree on, and the merge key that makes it so. */
export interface MergeConflict {
  key: string;
  /** Offset of the `<<` key in the stream. */
  offset: number;
}

/** A plain `<<` key (a quoted "<<" is an ordinary key in every reader). */
function isMergePair(pair: Pair): boolean {
  const key = pair.key;
  if (!isScalar(key)) return false;
  if (typeof key.value === "symbol") return key.value.description === "<<";
  return key.value === "<<" && (key.type === undefined || key.type === "PLAIN");
}

function keyText(pair: Pair): string | undefined {
  const key = pair.key;
  return isScalar(key) ? String(key.value) : undefined;
}

/** The mappings a merge value names: a mapping, an alias of one, or a sequence of those. */
function mergeSources(doc: Document, value: unknown): YAMLMap[] {
  const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  const source = resolve(value);
  const items = isSeq(source) ? source.items.map(resolve) : [source];
  return items.filter((item): item is YAMLMap => isMap(item));
}

/** Every key a mapping ends with, its own merges included. */
function mapKeys(doc: Document, map: YAMLMap, depth: number): Set<string> {
  const keys = new Set<string>();
  if (depth > MAX_MERGE_DEPTH) return keys;
  for (const pair of map.items) {
    if (isMergePair(pair)) {
      for (const source of mergeSources(doc, pair.value)) for (const key of mapKeys(doc, source, depth + 1)) keys.add(key);
    } else {
      const key = keyText(pair);
      if (key !== undefined) keys.add(key);
    }
  }
  return keys;
}

/** The first mapping of the document whose merge overrides a key set before it, if any. */
export function findMergeConflict(doc: Document): MergeConflict | undefined {
  let conflict: MergeConflict | undefined;
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isMergePair(pair)) {
          const key = keyText(pair);
          if (key !== undefined) seen.add(key);
          continue;
        }
        const merged = new Set<string>();
        for (const source of mergeSources(doc, pair.value)) for (const key of mapKeys(doc, source, 1)) merged.add(key);
        const overridden = [...merged].find((key) => seen.has(key));
        if (overridden !== undefined) {
          conflict = { key: overridden, offset: (pair.key as Node).range?.[0] ?? map.range?.[0] ?? 0 };
          return visit.BREAK;
        }
        for (const key of merged) seen.add(key);
      }
      return undefined;
    },
  });
  return conflict;
}
