import type { AuditReport } from "../report/types.js";

export interface ReporterOptions {
  /** ANSI colours (text reporter). */
  color?: boolean;
  /** Also what most readers do not need (text reporter): the units, engine agreement, the kinds not evaluated or type-checked. */
  verbose?: boolean;
}

/** A reporter is a pure function of the report. */
export type Reporter = (report: AuditReport, options?: ReporterOptions) => string;
