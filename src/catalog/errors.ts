/** The error of an invalid catalog file (control.yaml or a catalog-level data file under policies/). */
export class CatalogError extends Error {
  readonly code = "CATALOG_INVALID";
}
