/** The explicit map of output formats. */
import { codequality } from "./codequality.js";
import { github } from "./github.js";
import { json, jsonChunks } from "./json.js";
import { junit } from "./junit.js";
import { markdown } from "./markdown.js";
import { sarif } from "./sarif.js";
import { text } from "./text.js";
import type { ChunkedReporter, Reporter, ReporterOptions } from "./types.js";
import type { AuditReport } from "../report/types.js";

export const REPORTERS = { text, json, sarif, junit, markdown, github, codequality } as const satisfies Record<string, Reporter>;
export type FormatName = keyof typeof REPORTERS;
export const FORMAT_NAMES = Object.keys(REPORTERS) as FormatName[];

/** Formats whose text can grow to tens of megabytes, made chunk by chunk. */
const CHUNKED_REPORTERS: Partial<Record<FormatName, ChunkedReporter>> = { json: jsonChunks };

/** A format's text in chunks to write one after the other (one chunk for a format made whole). */
export function reportChunks(format: FormatName, report: AuditReport, options?: ReporterOptions): Iterable<string> {
  return CHUNKED_REPORTERS[format]?.(report, options) ?? [REPORTERS[format](report, options)];
}
