/** Helm renders: the template (or helper) line that renders a field, and the values key it comes from. (Being written.) */
import type { FieldLocation } from "../types.js";
import type { LocateContext, LocateRequest } from "./types.js";

/** The locator of Helm units. */
export function locateHelm(request: LocateRequest, _context: LocateContext): FieldLocation | undefined {
  const { source } = request.resource;
  return { file: source.file, line: source.line, via: "object" };
}
