/**
 * Strings no Kubernetes client carries: a UTF-16 surrogate without its pair. YAML and JSON can write one
 * as an escape (`"\ud800"`); kubectl's YAML reader (sigs.k8s.io/yaml, go-yaml) rejects it ("found invalid
 * Unicode character escape code"), and the policies' wasm JSON reader cannot read it either.
 */

/** The path of the first key or string value, at any depth, holding a lone surrogate; undefined when none does. */
export function loneSurrogatePath(value: unknown): Array<string | number> | undefined {
  if (typeof value === "string") return wellFormed(value) ? undefined : [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = loneSurrogatePath(value[i]);
      if (found) return [i, ...found];
    }
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (!wellFormed(key)) return [key];
    const found = loneSurrogatePath(item);
    if (found) return [key, ...found];
  }
  return undefined;
}

/** String.prototype.isWellFormed (ES2024; Node 20 has it, the project's TypeScript lib is ES2023). */
const wellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/** `s` with each lone surrogate shown as U+FFFD, for messages (String.prototype.toWellFormed). */
export const displayable = (s: string): string => (s as string & { toWellFormed(): string }).toWellFormed();
