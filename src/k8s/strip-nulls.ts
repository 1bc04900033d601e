/**
 * JSON `null` is unset: the API server decodes a manifest into typed fields, so a key whose value is
 * null (Helm renders an unset value as null) is absent from the stored object. Every object is read
 * that way before any engine sees it: plain files, renders and stdin (src/loaders/yaml.ts) and the
 * admission webhook (src/admission/review.ts).
 */

/**
 * The value with every null-valued key removed from every mapping, at any depth. List items are kept in
 * place (a null item is not a key); only mappings inside them are cleaned. The value itself when it holds
 * no null-valued key (checked without allocating: a 20,000-key ConfigMap at the webhook was copied for
 * nothing), else a copy; the value is never changed.
 */
export function stripNullKeys<T>(value: T): T {
  const out = noNullKey(value) ? value : withoutNullKeys(value);
  if (typeof out === "object" && out !== null) stripped.add(out);
  return out;
}

/**
 * An object a walk has just found to hold no null-valued key at any depth (the admission limit walk,
 * walkLimits), remembered as stripNullKeys' result would be: neither walks it again.
 */
export function nullFree<T extends object>(value: T): T {
  stripped.add(value);
  return value;
}

/** What stripNullKeys returned: holdsNoNullKey need not walk them again (objects are not changed once read). */
const stripped = new WeakSet<object>();

function withoutNullKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item) => withoutNullKeys(item)) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== null) setOwn(out, key, withoutNullKeys(item));
  return out as T;
}

/**
 * Sets `key` as an own property of `target`, whatever its name. Assigning `__proto__` would set the
 * object's prototype instead (dropping a ConfigMap's `__proto__` key, and letting `metadata.__proto__`
 * supply fields that only JavaScript reads): the API server keeps it as a key like any other.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Whether no mapping at any depth holds a null-valued key: what stripNullKeys leaves (a null list item is no key). */
export function holdsNoNullKey(value: unknown): boolean {
  return (typeof value === "object" && value !== null && stripped.has(value)) || noNullKey(value);
}

function noNullKey(value: unknown): boolean {
  if (Array.isArray(value)) {
    for (const item of value) if (!noNullKey(item)) return false;
    return true;
  }
  if (value === null || typeof value !== "object") return true;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = (value as Record<string, unknown>)[key];
    if (item === null || !noNullKey(item)) return false;
  }
  return true;
}
