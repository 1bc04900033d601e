/** Telling a YAML/JSON mapping from the other values a parsed document holds. */

/** Whether `value` is a mapping: an object that is not null and not an array. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** `value` as a mapping whose fields are read loosely, or undefined when it is not one. */
export const asRecord = (value: unknown): Record<string, any> | undefined => (isRecord(value) ? value : undefined);
