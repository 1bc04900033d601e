/**
 * The fixtures are the spec of each control: every fixture runs through every engine the control
 * declares, and each must report exactly the fixture's `# expect:` tuples (none for pass fixtures).
 */
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { controlIds, loadControl, placeholdersOf } from "../src/catalog/load.js";
import type { Control } from "../src/catalog/types.js";
import { resolveParams } from "../src/config/profiles.js";
import { RegoEngine } from "../src/engines/rego.js";
import { readBundleManifest } from "../src/engines/rego-wasm.js";
import type { Engine } from "../src/engines/types.js";
import { verdictOf } from "../src/evaluation/unit.js";
import { TypeScriptEngine } from "../src/engines/typescript.js";
import { parseManifestStream } from "../src/loaders/yaml.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../src/paths.js";
import type { AuditUnit } from "../src/types.js";
import { readFixtures, tupleKey } from "./fixture-files.js";
import { closestPath, formatPath } from "../src/k8s/field-path.js";
import { resourceKey } from "../src/findings/identity.js";

const bundle = readBundleManifest();
// A partial bundle (ERLMCP_AUDIT_POLICY_DIST) limits the run to the controls it holds.
const ids = process.env.ERLMCP_AUDIT_POLICY_DIST ? Object.keys(bundle.entrypoints) : controlIds();
const engines: Record<string, Engine> = { rego: new RegoEngine(), typescript: new TypeScriptEngine() };

beforeAll(async () => {
  await engines.rego!.prepare([]);
});

describe.each(ids)("%s", (id) => {
  let control: Control;
  try {
    control = loadControl(join(POLICIES_DIR, id));
  } catch (error) {
    it("loads its control.yaml", () => {
      throw error;
    });
    return;
  }
  const fixtures = readFixtures(id);
  const engineNames = control.engines.filter((e) => e in engines);

  it("has at least two pass fixtures and one fail fixture per message", () => {
    expect(fixtures.filter((f) => f.verdict === "pass").length).toBeGreaterThanOrEqual(2);
    const failed = new Set(fixtures.flatMap((f) => (f.verdict === "fail" ? f.expect.map((e) => e.messageId) : [])));
    expect([...Object.keys(control.messages)].filter((m) => !failed.has(m))).toEqual([]);
  });

  it.each(fixtures.map((f) => [f.file, f] as const))("%s", async (_file, fixture) => {
    const parsed = parseManifestStream(fixture.text, { file: relative(PACKAGE_ROOT, fixture.path) });
    expect(parsed.errors).toEqual([]);
    if (fixture.verdict === "fail") expect(fixture.expect.length).toBeGreaterThan(0);
    if (fixture.verdict === "pass") expect(fixture.expect).toEqual([]);
    const unit: AuditUnit = { id: fixture.file, kind: "files", path: fixture.path, resources: parsed.resources, profile: fixture.profile };
    const expected = [...new Set(fixture.expect.map(tupleKey))].sort();
    const located = new Map<string, string[]>();
    for (const name of engineNames) {
      const verdict = await verdictOf(engines[name]!, unit, control, { ...resolveParams(control, unit.profile), ...fixture.params });
      expect(verdict?.errors ?? [], `${name} errors`).toEqual([]);
      const actual = [...new Set((verdict?.violations ?? []).map((v) => tupleKey({ ...v.resource, messageId: v.messageId })))].sort();
      expect(actual, `${name} on ${fixture.file}`).toEqual(expected);
      located.set(
        name,
        [
          ...new Set(
            (verdict?.violations ?? []).map((v) => `${tupleKey({ ...v.resource, messageId: v.messageId })} @ ${formatPath(v.path ?? [])}`),
          ),
        ].sort(),
      );
      for (const v of verdict?.violations ?? []) {
        // The path names a field the object has (a missing field is cut back to its closest existing parent).
        const object = parsed.resources.find((r) => resourceKey(r.ref) === resourceKey(v.resource))?.object;
        if (object && v.path) expect(formatPath(closestPath(object, v.path)), `${name} path of ${v.messageId}`).toBe(formatPath(v.path));
        expect(Object.keys(control.messages), `${name} messageId`).toContain(v.messageId);
        const needed = placeholdersOf(control.messages[v.messageId] ?? "");
        expect(Object.keys(v.data), `${name} data for ${v.messageId}`).toEqual(expect.arrayContaining(needed));
      }
    }
    // Rego and TypeScript point at the same field for every violation.
    if (located.has("rego") && located.has("typescript")) expect(located.get("typescript"), "paths").toEqual(located.get("rego"));
  });
});
