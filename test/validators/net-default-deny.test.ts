import { describe, expect, it } from "vitest";
import { netDefaultDeny } from "../../src/validators/net-default-deny.js";
import { defaultParams, fixtureCases, tuples } from "./net-fixtures.js";

describe("net-default-deny fixtures", () => {
  it.each(fixtureCases("net-default-deny"))("$file", ({ resources, expected }) => {
    expect(tuples(netDefaultDeny.validate(resources, defaultParams("net-default-deny")))).toEqual(expected);
  });
});
