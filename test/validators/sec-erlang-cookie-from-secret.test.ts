import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadControl, placeholdersOf } from "../../src/catalog/load.js";
import { resolveParams } from "../../src/config/profiles.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { POLICIES_DIR } from "../../src/paths.js";
import { secErlangCookieFromSecret } from "../../src/validators/sec-erlang-cookie-from-secret.js";
import { readFixtures, tupleKey } from "../fixture-files.js";

const control = loadControl(join(POLICIES_DIR, "sec-erlang-cookie-from-secret"));

describe("sec-erlang-cookie-from-secret validator", () => {
  it.each(readFixtures("sec-erlang-cookie-from-secret").map((f) => [f.file, f] as const))("%s", (_file, fixture) => {
    const { resources, errors } = parseManifestStream(fixture.text, { file: fixture.path });
    expect(errors).toEqual([]);
    const params = resolveParams(control, fixture.profile);
    const violations = secErlangCookieFromSecret.validate(resources, params);
    const actual = [...new Set(violations.map((v) => tupleKey({ ...v.resource, messageId: v.messageId })))].sort();
    expect(actual).toEqual([...new Set(fixture.expect.map(tupleKey))].sort());
    for (const v of violations) {
      expect(Object.keys(v.data)).toEqual(expect.arrayContaining(placeholdersOf(control.messages[v.messageId] ?? "")));
    }
  });
});
