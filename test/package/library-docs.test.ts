/**
 * The library's documentation: typedoc's index page is docs/library.md, every API name it mentions
 * exists, and every AuditOptions field has a doc comment.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../../src/index.js";

const ROOT = join(__dirname, "../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** The fields of `interface AuditOptions` with the text just above each. */
function auditOptionFields(): { name: string; documented: boolean }[] {
  const source = read("src/audit.ts");
  const body = /export interface AuditOptions \{\n([\s\S]*?)\n\}/.exec(source)?.[1] ?? "";
  const lines = body.split("\n");
  const fields: { name: string; documented: boolean }[] = [];
  lines.forEach((line, i) => {
    const field = /^ {2}(\w+)\??:/.exec(line);
    if (field) fields.push({ name: field[1]!, documented: /\*\/\s*$/.test(lines[i - 1] ?? "") });
  });
  return fields;
}

describe("library documentation", () => {
  it("documents every AuditOptions field", () => {
    const fields = auditOptionFields();
    expect(fields.length).toBeGreaterThan(10);
    expect(fields.filter((f) => !f.documented).map((f) => f.name)).toEqual([]);
  });

  it("makes docs/library.md typedoc's index page", () => {
    expect(JSON.parse(read("typedoc.json")).readme).toBe("docs/library.md");
  });

  it("names in docs/library.md only exports, AuditOptions fields, formats and report fields that exist", () => {
    const page = read("docs/library.md").replace(/```[\s\S]*?```/g, "");
    const index = read("src/index.ts");
    const known = new Set([
      ...Object.keys(api),
      ...auditOptionFields().map((f) => f.name),
      ...api.FORMAT_NAMES,
      "inputErrors",
      "report.summary.exitCode",
    ]);
    const names = [...page.matchAll(/`([A-Za-z.]+)(?:\([^`]*\))?`/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(20);
    // `false` is a value; `evidence` and `verify` are CLI commands.
    const unknown = names.filter((n) => !known.has(n) && !new RegExp(`\\b${n}\\b`).test(index) && !/^(false|evidence|verify)$/.test(n));
    expect(unknown).toEqual([]);
  });
});
