/**
 * Parity: every fixture of every control with a Kyverno policy runs through the real kyverno CLI
 * (all fixtures of a control in one invocation) and must give exactly the fixture's `# expect:` tuples.
 */
import { relative } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load.js";
import { kyvernoPolicyFile, runKyverno } from "../../src/engines/kyverno.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { readFixtures, tupleKey, type Fixture } from "../fixture-files.js";
import { kyvernoSkipReason } from "../../scripts/generate-kyverno-tests.js";

const controls = loadCatalog().filter((c) => c.engines.includes("kyverno"));

describe.each(controls.map((c) => [c.id, c] as const))("kyverno parity: %s", (id, control) => {
  const fixtures = readFixtures(id);
  const runnable = fixtures.filter((f) => !kyvernoSkipReason(control, f));

  // Listed, not silently dropped: the reasons come from kyvernoSkipReason (profiles, params, `kyverno.unsupported` of control.yaml).
  for (const fixture of fixtures.filter((f) => kyvernoSkipReason(control, f))) {
    it.skip(`${fixture.file}: ${kyvernoSkipReason(control, fixture)}`, () => undefined);
  }

  it("agrees with every fixture's expected tuples", async () => {
    const objects: Array<{ fixture: Fixture; ref: string; object: unknown }> = [];
    for (const fixture of runnable) {
      const parsed = parseManifestStream(fixture.text, { file: relative(PACKAGE_ROOT, fixture.path) });
      for (const r of parsed.resources) objects.push({ fixture, ref: `${r.ref.kind}/${r.ref.namespace}/${r.ref.name}`, object: r.object });
    }
    const results = await runKyverno(
      [kyvernoPolicyFile(control)],
      objects.map((o) => o.object as never),
    );
    const errors = results.filter((r) => r.status === "error").map((r) => `${objects[r.index]!.fixture.file}: ${r.message}`);
    expect(errors).toEqual([]);
    const disagreements: string[] = [];
    for (const fixture of runnable) {
      const actual = new Set<string>();
      for (const r of results) {
        const o = objects[r.index]!;
        if (o.fixture !== fixture || r.status !== "fail") continue;
        for (const messageId of r.messageIds) actual.add(`${o.ref} ${messageId}`);
      }
      const expected = new Set(fixture.expect.map(tupleKey));
      const same = actual.size === expected.size && [...actual].every((t) => expected.has(t));
      if (!same) {
        disagreements.push(
          `${fixture.file} (${id})\n  expected (fixture): ${[...expected].sort().join(", ") || "pass"}\n  kyverno:            ${[...actual].sort().join(", ") || "pass"}`,
        );
      }
    }
    expect(disagreements.join("\n")).toBe("");
  });
});
