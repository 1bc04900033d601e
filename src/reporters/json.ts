import { inertJson } from "./sanitize.js";
import type { Reporter } from "./types.js";

/** The report as JSON (schema version in `schemaVersion`, documented in docs/report-schema.md). */
export const json: Reporter = (report) => inertJson(JSON.stringify(report, null, 2)) + "\n";
