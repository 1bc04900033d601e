/** The explicit map of output formats. */
import { codequality } from "./codequality.js";
import { github } from "./github.js";
import { json } from "./json.js";
import { junit } from "./junit.js";
import { markdown } from "./markdown.js";
import { sarif } from "./sarif.js";
import { text } from "./text.js";
import type { Reporter } from "./types.js";

export const REPORTERS = { text, json, sarif, junit, markdown, github, codequality } as const satisfies Record<string, Reporter>;
export type FormatName = keyof typeof REPORTERS;
export const FORMAT_NAMES = Object.keys(REPORTERS) as FormatName[];
