import { jsonPieces } from "./json-pieces.js";
import { inertJson } from "./sanitize.js";
import { batchedText } from "../tools/batched-text.js";
import type { ChunkedReporter, Reporter } from "./types.js";

/** The report as JSON (schema version in `schemaVersion`, documented in docs/report-schema.md), in chunks of about a megabyte. */
export const jsonChunks: ChunkedReporter = function* (report) {
  // inertJson replaces single characters: chunk by chunk it gives what it gives on the whole text.
  for (const chunk of batchedText(jsonPieces(report))) yield inertJson(chunk);
  yield "\n";
};

/** The report as JSON: jsonChunks joined. */
export const json: Reporter = (report) => [...jsonChunks(report)].join("");
