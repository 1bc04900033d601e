/**
 * Plain scalars as `yaml` resolves them with kubectl's tags (src/yaml/kubectl-schema.ts): by the schema's tags (their `test` and
 * `resolve`), never by rules of ours, for the fast loader's values and both block readers' keys.
 */
import { Document, isScalar } from "yaml";
import { KUBECTL_YAML } from "./kubectl-schema.js";
import { unsure } from "./unsure.js";

type Tag = {
  default?: boolean | "key";
  test?: RegExp;
  resolve: (value: string, onError: (message: string) => void, options: unknown) => unknown;
};
const reference = new Document(null, { uniqueKeys: true, ...KUBECTL_YAML });
const schemaTags = (reference.schema as unknown as { tags: Tag[] }).tags;
const stringTag = schemaTags.find((t) => (t as { tag?: string }).tag === "tag:yaml.org,2002:str")!;
const resolved = new Map<string, string | number | boolean | null>();

/**
 * The JavaScript value `yaml` gives a plain scalar: the first default tag of the 1.1 schema whose test
 * matches, resolved; `Document.toJS()` keeps the resolved value as is (a timestamp stays a Date).
 */
export function resolvePlain(source: string): string | number | boolean | null | Date {
  const cached = resolved.get(source);
  if (cached !== undefined || resolved.has(source)) return cached!;
  const tag = schemaTags.find((t) => t.default === true && t.test?.test(source)) ?? stringTag;
  let failed = false;
  const raw = tag.resolve(source, () => (failed = true), reference.options);
  if (failed) unsure();
  const value: unknown = isScalar(raw) ? raw.value : raw;
  if (value instanceof Date) return value;
  if (value !== null && typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") unsure();
  if (resolved.size > 50_000) resolved.clear();
  resolved.set(source, value);
  return value;
}

/**
 * The name of a plain key that `yaml` reads as a string (positionOf compares its text), undefined for a
 * key it reads as anything else (`yes`, `on`, `1`, `~`, `0x1f`, a timestamp). `unsure()` where `resolvePlain` is.
 */
export function plainStringKey(source: string): string | undefined {
  const value = resolvePlain(source);
  return typeof value === "string" ? value : undefined;
}
