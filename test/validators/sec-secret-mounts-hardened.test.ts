import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadControl, placeholdersOf } from "../../src/catalog/load.js";
import { resolveParams } from "../../src/config/profiles.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { POLICIES_DIR } from "../../src/paths.js";
import { secSecretMountsHardened } from "../../src/validators/sec-secret-mounts-hardened.js";
import { readFixtures, tupleKey } from "../fixture-files.js";

const control = loadControl(join(POLICIES_DIR, "sec-secret-mounts-hardened"));

describe("sec-secret-mounts-hardened validator", () => {
  it.each(readFixtures("sec-secret-mounts-hardened").map((f) => [f.file, f] as const))("%s", (_file, fixture) => {
    const { resources, errors } = parseManifestStream(fixture.text, { file: fixture.path });
    expect(errors).toEqual([]);
    const params = resolveParams(control, fixture.profile);
    const violations = resources.flatMap((r) => secSecretMountsHardened.validate(r.object, params));
    const actual = [...new Set(violations.map((v) => tupleKey({ ...v.resource, messageId: v.messageId })))].sort();
    expect(actual).toEqual([...new Set(fixture.expect.map(tupleKey))].sort());
    for (const v of violations) {
      expect(Object.keys(v.data)).toEqual(expect.arrayContaining(placeholdersOf(control.messages[v.messageId] ?? "")));
    }
  });
});
