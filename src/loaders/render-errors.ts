/**
 * Errors of `helm template` and `kustomize build` in the user's terms: the file and line to edit
 * (the values file and key a chart's values.schema.json rejects, the kustomization line that names a
 * missing path), instead of the tool's last lines and a command that may not be installed.
 */
import { readRegularText } from "../tools/read-regular-file.js";
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { InputError } from "../types.js";
import { KUSTOMIZATION_FILES } from "./kustomization.js";

/** What an error names for the user to edit; the message always starts with the tool's own first line. */
export type ErrorPlace = Pick<InputError, "message" | "hint"> & Partial<Pick<InputError, "file" | "line" | "column">>;

/** The tool's error from its `Error:` line on (warnings printed before it dropped), as lines. */
export function errorLines(stderr: string): string[] {
  const lines = stderr.split("\n").map((l) => l.trimEnd());
  const start = lines.findIndex((l) => l.startsWith("Error:"));
  // Helm's "Use --debug flag to render out invalid YAML" is advice for its own command line, not the error.
  return lines.slice(start < 0 ? 0 : start).filter((l) => l.trim() !== "" && !/^Use --debug flag/.test(l));
}

/** `/image/tag` or `/ports/0/name` (JSON pointer) → `image.tag`, `ports[0].name`. */
function pointerToPath(pointer: string): Array<string | number> {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function keyName(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i ? `.${p}` : p)).join("") || "(the values as a whole)";
}

/** 1-based line and column of the key at `path` in a YAML file, or of its deepest parent key there (`exact` false). */
function keyLine(file: string, path: ReadonlyArray<string | number>): { line: number; column: number; exact: boolean } | undefined {
  if (!existsSync(file)) return undefined;
  const lines = new LineCounter();
  const text = readRegularText(file);
  if (text === undefined) return undefined;
  let node: unknown = parseDocument(text, { lineCounter: lines }).contents;
  let found: { line: number; column: number } | undefined;
  for (const part of path) {
    const entry = isMap(node)
      ? node.items.find((p) => isScalar(p.key) && p.key.value === part)
      : isSeq(node) && typeof part === "number"
        ? { key: node.items[part], value: node.items[part] }
        : undefined;
    const start = (entry?.key as { range?: number[] } | undefined)?.range?.[0];
    if (!entry || start === undefined) return found && { ...found, exact: false };
    const at = lines.linePos(start);
    found = { line: at.line, column: at.col };
    node = entry.value;
  }
  return found && { ...found, exact: true };
}

/**
 * A values.schema.json failure of `helm template`: each rejected key with the values file and line
 * that sets it (the values file rendered, else the chart's values.yaml), the first one as the place.
 */
export function helmSchemaError(stderr: string, chartDir: string, valuesFile: string, cwd: string): ErrorPlace | undefined {
  const lines = errorLines(stderr);
  const first = lines[0]?.replace(/^Error:\s*/, "") ?? "";
  if (!/don't meet the specifications of the schema/.test(first)) return undefined;
  const files = [...new Set([resolve(cwd, valuesFile), join(resolve(cwd, chartDir), "values.yaml")])];
  const issues: Array<{ text: string; place?: { file: string; line: number; column: number } }> = [];
  let chart = "";
  for (const line of lines.slice(1)) {
    const heading = /^(\S[^:]*):$/.exec(line);
    if (heading) chart = heading[1]!;
    const v = /^\s*- at '([^']*)': (.*)$/.exec(line) ?? /^\s*- ([^:]+): (.*)$/.exec(line);
    if (!v) continue;
    const path = v[1]!.startsWith("/") || v[1] === "" ? pointerToPath(v[1]!) : v[1]!.split(".");
    const candidates = files.map((f) => ({ f, at: keyLine(f, path) }));
    const located = candidates.find((x) => x.at?.exact) ?? candidates.find((x) => x.at);
    const place = located?.at ? { file: relative(cwd, located.f), line: located.at.line, column: located.at.column } : undefined;
    issues.push({ text: `${chart ? `${chart}: ` : ""}${keyName(path)}: ${v[2]}${place ? ` (${place.file}:${place.line})` : ""}`, place });
  }
  if (!issues.length) return { message: `helm template failed: ${first}`, hint: "fix the values the chart's values.schema.json rejects" };
  const at = issues.find((i) => i.place)?.place;
  const rendered = relative(cwd, resolve(cwd, valuesFile));
  return {
    message: `helm template failed: ${first} ${issues.map((i) => i.text).join("; ")}`,
    ...(at ? { file: at.file, line: at.line, column: at.column } : {}),
    hint: `change the key${issues.length > 1 ? "s" : ""} above in ${at?.file ?? rendered} to what ${relative(cwd, join(resolve(cwd, chartDir), "values.schema.json"))} allows`,
  };
}

function kustomizationFile(dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** The line of `kustomizationFile` that names `ref` (as written, or a path that resolves to `missing`). */
function referenceLine(file: string, ref: string | undefined, missing: string): number | undefined {
  const text = readRegularText(file)?.split("\n");
  if (!text) return undefined;
  const candidates = [ref, relative(dirname(file), missing)].filter((c): c is string => !!c);
  for (const c of candidates) {
    const i = text.findIndex((l) =>
      new RegExp(`(^|[\\s'"\\[,:-])${c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\/?(?=$|[\\s'"\\],#])`).test(l),
    );
    if (i >= 0) return i + 1;
  }
  return undefined;
}

/**
 * A kustomize failure on a path that does not exist: the kustomization file and line that names it
 * (the overlay's, or that of a base it builds on) and the missing path, once.
 */
export function kustomizeMissingPathError(stderr: string, dir: string, cwd: string): ErrorPlace | undefined {
  const lines = errorLines(stderr);
  const first = lines[0]?.replace(/^Error:\s*/, "") ?? "";
  const missingAbs = /lstat ([^:]+): no such file or directory/.exec(stderr)?.[1];
  if (!missingAbs) return undefined;
  const ref = [...stderr.matchAll(/accumulating resources from '([^']+)'/g)].map((m) => m[1]!).pop();
  const overlay = resolve(cwd, dir);
  // The kustomization that names the path: the overlay's, else the nearest one above the missing path.
  const owners: string[] = [];
  const own = kustomizationFile(overlay);
  if (own) owners.push(own);
  for (let d = dirname(missingAbs); d !== dirname(d); d = dirname(d)) {
    const k = kustomizationFile(d);
    if (k && !owners.includes(k)) owners.push(k);
    if (k) break;
  }
  const missing = relative(cwd, missingAbs) || missingAbs;
  const what = /PatchTransformer|patch file/.test(first)
    ? "patch"
    : /KV pairs|file sources|env source/.test(first)
      ? "generator source"
      : "resource";
  for (const owner of owners) {
    const line = referenceLine(owner, ref, missingAbs);
    if (line === undefined) continue;
    const file = relative(cwd, owner);
    return {
      file,
      line,
      message: `kustomize build failed: the ${what} on ${file}:${line} does not exist: ${missing}`,
      hint: `fix line ${line} of ${file}, or create the missing ${what === "resource" ? "file or folder" : "file"}`,
    };
  }
  return {
    message: `kustomize build failed: ${first.split(":")[0]}: ${missing} does not exist`,
    hint: "fix the path in the kustomization that names it, or create it",
  };
}
