import type { AuditReport } from "../report/types.js";

export interface ReporterOptions {
  /** ANSI colours (text reporter). */
  color?: boolean;
  /** Also what most readers do not need (text reporter): the units, engine agreement, the kinds not evaluated or type-checked. */
  verbose?: boolean;
}

/** A reporter is a pure function of the report. */
export type Reporter = (report: AuditReport, options?: ReporterOptions) => string;

/** A reporter whose text comes in chunks, to be written as it is made (joined, it is what its Reporter returns). */
export type ChunkedReporter = (report: AuditReport, options?: ReporterOptions) => Iterable<string>;
