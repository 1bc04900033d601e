import { describe, expect, it } from "vitest";
import { netEgressAllowlist } from "../../src/validators/net-egress-allowlist.js";
import { fixtureCases, tuples } from "./net-fixtures.js";

describe("net-egress-allowlist fixtures", () => {
  it.each(fixtureCases("net-egress-allowlist"))("$file", ({ resources, expected }) => {
    expect(tuples(resources.flatMap((r) => netEgressAllowlist.validate(r.object, {})))).toEqual(expected);
  });
});
