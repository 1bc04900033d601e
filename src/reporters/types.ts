import type { AuditReport } from "../report/types.js";

export interface ReporterOptions {
  /** ANSI colours (text reporter). */
  color?: boolean;
}

/** A reporter is a pure function of the report. */
export type Reporter = (report: AuditReport, options?: ReporterOptions) => string;
