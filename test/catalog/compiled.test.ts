import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalogSourceDigest, catalogSourceFiles, COMPILED_CATALOG, CONTROL_SCHEMA_FILE } from "../../src/catalog/compiled.js";
import { KINDS_FILE } from "../../src/catalog/kinds.js";
import { CatalogError, loadCatalog, validateCatalog } from "../../src/catalog/load.js";
import { POLICIES_DIR } from "../../src/paths.js";
import { tempTree } from "../helpers/tmp.js";

/** A copy of the catalog's source files and its stored form (no Rego, no fixtures). */
function catalogCopy(): string {
  const root = join(tempTree({}), "policies");
  cpSync(POLICIES_DIR, root, {
    recursive: true,
    filter: (src) => !/\/(fixtures|gatekeeper|kyverno|vap|lib)(\/|$)/.test(src.slice(POLICIES_DIR.length)) && !src.endsWith(".rego"),
  });
  return root;
}

const firstControl = (root: string) => readdirSync(root).find((d) => /^[a-z]+-/.test(d))!;

describe("the stored catalog (policies/dist/catalog.json)", () => {
  it("is what validating every control.yaml gives", () => {
    expect(loadCatalog()).toEqual(validateCatalog());
  });

  it("is used while the source files hash the same, wherever the catalog lies", () => {
    const root = catalogCopy();
    const stored = join(root, "dist", COMPILED_CATALOG);
    const text = readFileSync(stored, "utf8");
    // A description changed in the stored form only: a run that uses it shows it.
    writeFileSync(stored, text.replace(/"title": "([^"]*)"/, '"title": "STORED $1"'));
    const loaded = loadCatalog(root);
    expect(loaded.some((c) => c.title.startsWith("STORED "))).toBe(true);
    expect(loaded.map((c) => c.dir)).toEqual(validateCatalog(root).map((c) => c.dir));
  });

  it.each([
    ["a control.yaml is edited", (root: string) => appendTo(join(root, firstControl(root), "control.yaml"), "\nrationale: TODO\n")],
    [
      "a control folder is added",
      (root: string) => cpSync(join(root, firstControl(root)), join(root, "zzz-new-control"), { recursive: true }),
    ],
  ])("is not used when %s: every control.yaml is validated again", (_what, change) => {
    const root = catalogCopy();
    change(root);
    expect(() => loadCatalog(root)).toThrow(CatalogError);
  });

  it("is not used when it is corrupt", () => {
    const root = catalogCopy();
    writeFileSync(join(root, "dist", COMPILED_CATALOG), "{");
    expect(loadCatalog(root)).toEqual(validateCatalog(root));
  });

  it("is keyed by the schema and the kind catalog validation reads, and by each control.yaml", () => {
    const root = catalogCopy();
    const ids = readdirSync(root)
      .filter((d) => /^[a-z]+-/.test(d))
      .sort();
    const files = catalogSourceFiles(root, ids);
    expect(files.slice(0, 2)).toEqual([CONTROL_SCHEMA_FILE, KINDS_FILE]);
    // Each file of the list, copied and edited by one byte, gives another digest.
    const copies = files.map((file, i) => {
      const copy = join(root, `source-${i}`);
      cpSync(file, copy);
      return copy;
    });
    const digest = catalogSourceDigest(copies);
    for (const copy of copies) {
      const text = readFileSync(copy);
      writeFileSync(copy, Buffer.concat([text, Buffer.from(" ")]));
      expect(catalogSourceDigest(copies), copy).not.toBe(digest);
      writeFileSync(copy, text);
    }
    expect(catalogSourceDigest(copies)).toBe(digest);
  });

  it("is not used when a control folder is removed", () => {
    const root = catalogCopy();
    const removed = firstControl(root);
    rmSync(join(root, removed), { recursive: true });
    expect(loadCatalog(root).map((c) => c.id)).not.toContain(removed);
    expect(loadCatalog(root)).toEqual(validateCatalog(root));
  });
});

function appendTo(file: string, text: string): void {
  writeFileSync(file, readFileSync(file, "utf8") + text);
}
