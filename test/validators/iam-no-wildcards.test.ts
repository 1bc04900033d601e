import { describe, expect, it } from "vitest";
import { iamNoWildcards } from "../../src/validators/iam-no-wildcards.js";
import { itMatchesFixtures } from "./iam-fixtures.js";

describe("iam-no-wildcards validator", () => {
  itMatchesFixtures(iamNoWildcards);

  it("ignores other kinds and malformed rules", () => {
    expect(iamNoWildcards.validate({ kind: "ConfigMap", rules: [{ verbs: ["*"] }] }, {})).toEqual([]);
    expect(iamNoWildcards.validate({ kind: "Role", rules: [null, { verbs: "*" }] }, {})).toEqual([]);
  });
});
