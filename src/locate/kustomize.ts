/** Kustomize builds: the overlay line that sets a field, else the field in the resource's source. (Being written.) */
import type { FieldLocation } from "../types.js";
import type { LocateContext, LocateRequest } from "./types.js";

/** The locator of Kustomize units. */
export function locateKustomize(_request: LocateRequest, _context: LocateContext): FieldLocation | undefined {
  return undefined;
}
