/** Runs one iam-* validator over its fixtures and checks the `# expect:` tuples and message placeholders. */
import { join } from "node:path";
import { expect, it } from "vitest";
import { loadControl, placeholdersOf } from "../../src/catalog/load.js";
import { resolveParams } from "../../src/config/profiles.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { POLICIES_DIR } from "../../src/paths.js";
import type { Resource, Violation } from "../../src/types.js";
import type { Validator } from "../../src/validators/types.js";
import { readFixtures, tupleKey } from "../fixture-files.js";

export function run(validator: Validator, resources: readonly Resource[], params: Record<string, unknown> = {}): Violation[] {
  return validator.scope === "set" ? validator.validate(resources, params) : resources.flatMap((r) => validator.validate(r.object, params));
}

export function keys(violations: readonly Violation[]): string[] {
  return [...new Set(violations.map((v) => tupleKey({ ...v.resource, messageId: v.messageId })))].sort();
}

export function resourcesOf(text: string): Resource[] {
  return parseManifestStream(text, { file: "inline.yaml" }).resources;
}

export function itMatchesFixtures(validator: Validator): void {
  const control = loadControl(join(POLICIES_DIR, validator.id));
  it.each(readFixtures(validator.id).map((f) => [f.file, f] as const))("%s", (_file, fixture) => {
    const { resources, errors } = parseManifestStream(fixture.text, { file: fixture.path });
    expect(errors).toEqual([]);
    const violations = run(validator, resources, resolveParams(control, fixture.profile));
    expect(keys(violations)).toEqual([...new Set(fixture.expect.map(tupleKey))].sort());
    for (const v of violations) {
      expect(Object.keys(v.data)).toEqual(expect.arrayContaining(placeholdersOf(control.messages[v.messageId] ?? "")));
    }
  });
}
