import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { CatalogError, loadCatalog, loadControl } from "../../src/catalog/load.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../../src/paths.js";
import { tempTree } from "../helpers/tmp.js";

const ORIGINAL = readFileSync(join(POLICIES_DIR, "avl-quorum-replicas/control.yaml"), "utf8");

/** A copy of avl-quorum-replicas/control.yaml with one line replaced; returns its dir and the new line's number. */
function editedControl(from: RegExp, to: string): { dir: string; file: string; line: number; text: string } {
  const lines = ORIGINAL.split("\n");
  const index = lines.findIndex((l) => from.test(l));
  expect(index, `${from} in control.yaml`).toBeGreaterThanOrEqual(0);
  lines[index] = lines[index]!.replace(from, to);
  const root = tempTree({ "avl-quorum-replicas/control.yaml": lines.join("\n") });
  const dir = join(root, "avl-quorum-replicas");
  return { dir, file: relative(PACKAGE_ROOT, join(dir, "control.yaml")), line: index + 1, text: lines[index]! };
}

function catalogError(dir: string): string {
  try {
    loadControl(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return (error as Error).message;
  }
  throw new Error("the control loaded");
}

describe("control.yaml parameters at catalog load", () => {
  it("every shipped control's defaults and profile values satisfy its params schema", () => {
    expect(loadCatalog().length).toBeGreaterThan(0);
  });

  it("rejects a default that violates the control's own schema, naming the file, line and key", () => {
    const c = editedControl(/defaults: \{.*\}/, 'defaults: { minReplicas: "3", requireOdd: true }');
    const column = c.text.indexOf("minReplicas") + 1;
    expect(catalogError(c.dir)).toBe(`${c.file}:${c.line}:${column}: params.defaults.minReplicas: must be an integer, got "3"`);
  });

  it("rejects an undeclared default and a bad profile value, all at once", () => {
    const c = editedControl(/defaults: \{.*\}/, "defaults: { minReplicas: 3, requireOdd: true, quorum: 2 }");
    const message = catalogError(c.dir);
    expect(message).toContain(
      `${c.file}:${c.line}:${c.text.indexOf("quorum:") + 1}: params.defaults.quorum: unknown parameter 'quorum' of avl-quorum-replicas`,
    );
    const d = editedControl(/development: \{ params: \{.*\} \}/, "development: { params: { minReplicas: 0 } }");
    expect(catalogError(d.dir)).toBe(
      `${d.file}:${d.line}:${d.text.indexOf("minReplicas") + 1}: profiles.development.params.minReplicas: must be >= 1, got 0`,
    );
  });
});
