/**
 * Scalars as `yaml` reads them (YAML 1.1, `toJS`): plain scalars resolved by `yaml`'s own schema tags
 * (src/yaml/plain-scalars.ts), single-line quoted scalars decoded (src/yaml/quoted.ts), `>` scalars
 * folded. Anything `yaml` might read otherwise is `unsure()`.
 */
import { quotedOnLine } from "../yaml/quoted.js";
import { unsure } from "../yaml/unsure.js";

/**
 * The property name `toJS` gives a plain key (`null` is "", a number or boolean its `String`); a key that
 * resolves to an object (a timestamp) is left to `yaml`. Two keys with the same name are duplicates here
 * even where `yaml` keeps the last (`1` and `'1'`), so such streams go to `yaml` too.
 */
export function keyName(value: string | number | boolean | null | Date): string {
  if (value === null) return "";
  if (typeof value === "object") unsure();
  return String(value);
}

/** A quoted scalar opened at `at` that closes on the same line (see quotedOnLine); `end` is just after the closing quote. */
export function quotedScalar(line: string, at: number): { value: string; end: number } {
  return quotedOnLine(line, at, line.length) ?? unsure();
}

/** Folds the lines of a `>` scalar: lines joined by a space, except around empty and more-indented lines. */
export function fold(lines: string[]): string {
  let out = "";
  let previous: "start" | "normal" | "more" = "start";
  let empty = 0;
  for (const line of lines) {
    if (line === "") {
      empty++;
      continue;
    }
    const more = line[0] === " " || line[0] === "\t";
    if (previous === "start") out += "\n".repeat(empty) + line;
    else if (previous === "normal" && !more) out += (empty ? "\n".repeat(empty) : " ") + line;
    else out += "\n" + "\n".repeat(empty) + line;
    previous = more ? "more" : "normal";
    empty = 0;
  }
  return out;
}
