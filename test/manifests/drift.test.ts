import { describe, expect, it } from "vitest";
import { drift } from "../../scripts/generate-standalone.js";

describe("generated manifests", () => {
  it("standalone and kustomize base match a fresh render of the chart (npx tsx scripts/generate-standalone.ts)", () => {
    expect(drift()).toEqual([]);
  });
});
