/** Third-party scanners: their own checks, shown beside our verdicts as evidence, never merged into findings. */
import type { AuditUnit, ResourceRef } from "../types.js";

/** One failed check of a third-party scanner, with the control it overlaps (docs/trivy-mapping.md). */
export interface ThirdPartyResult {
  engine: "trivy";
  /** Normalised check ID, e.g. `KSV017`. */
  checkId: string;
  title: string;
  severity: string;
  message: string;
  unit: string;
  resource: ResourceRef;
  file: string;
  line: number;
  mappedControl?: string;
}

export interface ThirdPartyScanner {
  readonly name: "trivy";
  /** Locates the scanner; throws a clear error when it is missing. */
  prepare(): Promise<void>;
  /** The pinned version it runs. */
  version(): string;
  scan(units: readonly AuditUnit[]): Promise<ThirdPartyResult[]>;
}
