import { describe, expect, it } from "vitest";
import { netWorkloadIsolated } from "../../src/validators/net-workload-isolated.js";
import { defaultParams, fixtureCases, tuples } from "./net-fixtures.js";

describe("net-workload-isolated fixtures", () => {
  it.each(fixtureCases("net-workload-isolated"))("$file", ({ resources, expected }) => {
    expect(tuples(netWorkloadIsolated.validate(resources, defaultParams("net-workload-isolated")))).toEqual(expected);
  });
});
