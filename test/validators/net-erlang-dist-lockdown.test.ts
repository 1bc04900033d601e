import { describe, expect, it } from "vitest";
import { netErlangDistLockdown } from "../../src/validators/net-erlang-dist-lockdown.js";
import { defaultParams, fixtureCases, tuples } from "./net-fixtures.js";

describe("net-erlang-dist-lockdown fixtures", () => {
  it.each(fixtureCases("net-erlang-dist-lockdown"))("$file", ({ resources, expected }) => {
    expect(tuples(netErlangDistLockdown.validate(resources, defaultParams("net-erlang-dist-lockdown")))).toEqual(expected);
  });
});
