/** The explicit map of output formats. */
import { json } from "./json.js";
import { sarif } from "./sarif.js";
import { text } from "./text.js";
import type { Reporter } from "./types.js";

export const REPORTERS = { text, json, sarif } as const satisfies Record<string, Reporter>;
export type FormatName = keyof typeof REPORTERS;
export const FORMAT_NAMES = Object.keys(REPORTERS) as FormatName[];
