/** Whether a value is one JSON prints without losing anything: what lets the cache key and store it as JSON. */

/**
 * Whether every value under `root` is a string, a finite number other than -0, a boolean, null, a
 * plain array or a plain object: values whose JSON no other value shares and that JSON.parse gives back
 * equal. With `undefinedAllowed`, `undefined` passes too (JSON drops it, or prints it as null in an
 * array): enough to key a value, not to store it. Called after JSON.stringify succeeded, so the graph
 * has no cycle.
 */
export function plainJsonValues(root: unknown, undefinedAllowed: boolean): boolean {
  const stack: unknown[] = [root];
  while (stack.length) {
    const value = stack.pop();
    switch (typeof value) {
      case "string":
      case "boolean":
        continue;
      case "undefined":
        if (!undefinedAllowed) return false;
        continue;
      case "number":
        if (!Number.isFinite(value) || Object.is(value, -0)) return false;
        continue;
      case "object": {
        if (value === null) continue;
        if (Array.isArray(value)) {
          // A hole reads as undefined.
          for (let i = 0; i < value.length; i++) stack.push(value[i]);
          continue;
        }
        const prototype = Object.getPrototypeOf(value);
        if (prototype !== Object.prototype && prototype !== null) return false;
        for (const key in value) stack.push((value as Record<string, unknown>)[key]);
        continue;
      }
      default:
        return false;
    }
  }
  return true;
}
