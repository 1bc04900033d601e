import { describe, expect, it } from "vitest";
import { selects } from "../../src/locate/kustomize-tree.js";

const facts = (labels: Record<string, string>) => ({
  kind: "Deployment",
  group: "apps",
  version: "v1",
  names: new Set(["web"]),
  namespaces: new Set(["erlmcp"]),
  labels,
  annotations: {},
});

describe("a patch target's label selector", () => {
  it("reads equality, inequality and existence terms", () => {
    const web = facts({ app: "web", tier: "front" });
    expect(selects({ labelSelector: "app=web,tier==front" }, web)).toBe(true);
    expect(selects({ labelSelector: "app!=web" }, web)).toBe(false);
    expect(selects({ labelSelector: "app, !zone" }, web)).toBe(true);
    expect(selects({ labelSelector: "app,zone" }, web)).toBe(false);
    expect(selects({ labelSelector: "!tier" }, web)).toBe(false);
  });

  // `constructor` and `toString` are valid label keys that every JavaScript object inherits.
  it.each(["app", "constructor", "toString", "__proto__"])("requires the label %s to be the object's own", (key) => {
    expect(selects({ labelSelector: key }, facts({}))).toBe(false);
    expect(selects({ labelSelector: `!${key}` }, facts({}))).toBe(true);
    expect(selects({ labelSelector: key }, facts(Object.defineProperty({}, key, { value: "x", enumerable: true })))).toBe(true);
  });
});
