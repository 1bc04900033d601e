import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KINDS_FILE, loadKindCatalog, parseKindCatalog, storedKindsText } from "../../src/catalog/kinds.js";
import { CatalogError } from "../../src/catalog/errors.js";
import { tempTree } from "../helpers/tmp.js";

const KINDS = `kinds:
  Pod: {groups: [""], podTemplate: []}
  Namespace: {groups: [""], clusterScoped: true}
aliases:
  workloads: [Pod]
`;

/** A kinds file and a stored copy written for `storedFor` (the kinds file's own text by default). */
function kindsWithStoredCopy(storedFor = KINDS): { file: string; stored: string } {
  const root = tempTree({ "kinds.yaml": KINDS });
  const stored = join(root, "kinds.json");
  writeFileSync(stored, storedKindsText(storedFor, "kinds.yaml"));
  return { file: join(root, "kinds.yaml"), stored };
}

describe("the stored kind catalog (policies/dist/kinds.json)", () => {
  it("is read instead of the YAML only while it was stored for the file's text as it is now", () => {
    const current = kindsWithStoredCopy();
    expect([...loadKindCatalog(current.file, current.stored).clusterScoped]).toEqual(["Namespace"]);
    // Stored for an older text (Namespace not yet cluster-scoped): the file is parsed again.
    const stale = kindsWithStoredCopy(KINDS.replace(", clusterScoped: true", ""));
    expect([...loadKindCatalog(stale.file, stale.stored).clusterScoped]).toEqual(["Namespace"]);
  });

  it("is checked like the YAML: a stored copy that no longer passes the checks fails to load", () => {
    const { file, stored } = kindsWithStoredCopy();
    const edited = JSON.parse(readFileSync(stored, "utf8")) as { data: { aliases: Record<string, string[]> } };
    edited.data.aliases.workloads = ["Deployment"];
    writeFileSync(stored, JSON.stringify(edited));
    expect(() => loadKindCatalog(file, stored)).toThrow(CatalogError);
  });

  it("gives the shipped catalog as the YAML does", () => {
    const fromYaml = parseKindCatalog(readFileSync(KINDS_FILE, "utf8"), "policies/_kinds.yaml");
    expect(loadKindCatalog()).toEqual(fromYaml);
  });
});
