import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, exceededLimit, walkLimits, type RequestLimits } from "../../src/admission/limits.js";
import { holdsNoNullKey, stripNullKeys } from "../../src/k8s/strip-nulls.js";
import { requestRecord, skipReason, uidFromPrefix } from "../../src/admission/request.js";
import { admissionReview, privilegedContainer, referencePod, referenceStatefulSet } from "./helpers.js";

const limits: RequestLimits = { maxBodyBytes: 1024, maxContainers: 4, maxVolumes: 3, maxDepth: 10, maxNodes: 200 };
const containers = (n: number, prefix = "c") => Array.from({ length: n }, (_, i) => ({ ...privilegedContainer(`${prefix}${i}`) }));
const pod = (spec: Record<string, unknown>) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "erlmcp" }, spec });

describe("request limits", () => {
  it("admit every object of the reference deployment with the defaults", () => {
    expect(exceededLimit(referenceStatefulSet(), DEFAULT_LIMITS)).toBeUndefined();
    expect(exceededLimit(referencePod(), DEFAULT_LIMITS)).toBeUndefined();
  });

  it("count containers, init and ephemeral containers together, in every pod template of the object", () => {
    expect(
      exceededLimit(
        pod({ containers: containers(2), initContainers: containers(1, "i"), ephemeralContainers: containers(1, "e") }),
        limits,
      ),
    ).toBeUndefined();
    expect(
      exceededLimit(
        pod({ containers: containers(2), initContainers: containers(2, "i"), ephemeralContainers: containers(1, "e") }),
        limits,
      ),
    ).toBe("the object has 5 containers (containers, initContainers and ephemeralContainers), over the limit of 4 (--max-containers)");
    const cronJob = {
      kind: "CronJob",
      spec: { jobTemplate: { spec: { template: { spec: { containers: containers(3), initContainers: containers(2, "i") } } } } },
    };
    expect(exceededLimit(cronJob, limits)).toMatch(/^the object has 5 containers .*\(--max-containers\)$/);
  });

  it("count volumes", () => {
    const volumes = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `v${i}`, emptyDir: {} }));
    expect(exceededLimit(pod({ containers: containers(1), volumes: volumes(3) }), limits)).toBeUndefined();
    expect(exceededLimit(pod({ containers: containers(1), volumes: volumes(4) }), limits)).toBe(
      "the object has 4 volumes, over the limit of 3 (--max-volumes)",
    );
  });

  it("measure nesting with the object itself at depth 1, arrays included", () => {
    let nested: unknown = "leaf";
    for (let i = 0; i < 9; i++) nested = [nested];
    expect(exceededLimit({ a: nested }, limits)).toBeUndefined();
    expect(exceededLimit({ a: [nested] }, limits)).toBe("the object is nested at least 11 levels deep, over the limit of 10 (--max-depth)");
  });

  it("stop at the depth limit without recursion, however deep the object", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = { x: deep };
    expect(exceededLimit(deep, limits)).toMatch(/\(--max-depth\)$/);
  });

  it("count keys and array items at every depth", () => {
    const env = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `V${i}`, value: "x" }));
    expect(exceededLimit(pod({ containers: [{ name: "c", env: env(60) }] }), limits)).toBeUndefined();
    expect(exceededLimit(pod({ containers: [{ name: "c", env: env(70) }] }), limits)).toMatch(
      /^the object has at least \d+ keys and array items, over the limit of 200 \(--max-nodes\)$/,
    );
  });

  it("read a `__proto__` key of the request as a key like any other, its containers and keys counted", () => {
    const hidden = (n: number) =>
      JSON.parse(
        `{"kind": "Pod", "spec": {"__proto__": {"containers": ${JSON.stringify(containers(n))}, "data": ${JSON.stringify(Object.fromEntries(Array.from({ length: n * 10 }, (_, i) => [`k${i}`, "v"])))}}}}`,
      );
    expect(exceededLimit(hidden(2), { ...DEFAULT_LIMITS, maxContainers: 2 })).toBeUndefined();
    expect(exceededLimit(hidden(3), { ...DEFAULT_LIMITS, maxContainers: 2 })).toMatch(/has 3 containers .*\(--max-containers\)$/);
    expect(exceededLimit(hidden(3), { ...DEFAULT_LIMITS, maxNodes: 30 })).toMatch(
      /at least \d+ keys and array items, over the limit of 30/,
    );
  });
});

describe("the limit walk's null-valued keys (walkLimits)", () => {
  const walk = (value: unknown) => walkLimits(value, DEFAULT_LIMITS);

  it("finds a null-valued key at any depth, in mappings inside lists too, as stripNullKeys would drop it", () => {
    const cases: unknown[] = [
      { kind: "Pod", metadata: null },
      { spec: { containers: [{ name: "c", securityContext: { privileged: true, capabilities: null } }] } },
      { a: [[{ b: [{ c: null }] }]] },
      JSON.parse('{"spec": {"__proto__": null}}'),
      JSON.parse('{"data": {"__proto__": {"x": null}}}'),
    ];
    for (const value of cases) {
      expect(walk(value), JSON.stringify(value)).toEqual({ nullKey: true });
      expect(holdsNoNullKey(value)).toBe(false);
    }
  });

  it("finds none where stripNullKeys drops nothing: null list items, no nulls, empty values", () => {
    const cases: unknown[] = [referencePod(), { a: [null, 1, [null]] }, { a: "", b: 0, c: false, d: [], e: {} }, {}];
    for (const value of cases) {
      expect(walk(value), JSON.stringify(value)).toEqual({ nullKey: false });
      expect(stripNullKeys(value)).toBe(value);
    }
  });

  it("stops at the first limit exceeded, saying which, as exceededLimit does", () => {
    const over = walkLimits({ a: { b: { c: null } } }, { ...DEFAULT_LIMITS, maxDepth: 2 });
    expect(over.exceeded).toBe(exceededLimit({ a: { b: { c: null } } }, { ...DEFAULT_LIMITS, maxDepth: 2 }));
    expect(over.exceeded).toMatch(/\(--max-depth\)$/);
  });
});

describe("the uid of a body too large to read", () => {
  it("is read from the first bytes the API server writes", () => {
    const apiServer = `{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"705ab4f5-6393-11e8-b7cc-42010a800002","kind":{`;
    expect(uidFromPrefix(apiServer)).toBe("705ab4f5-6393-11e8-b7cc-42010a800002");
    expect(uidFromPrefix(admissionReview("u-1", referencePod()).slice(0, 200))).toBe("u-1");
  });

  it("is not guessed from anything else", () => {
    expect(uidFromPrefix(`{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u"`)).toBeUndefined();
    expect(uidFromPrefix(`{"kind":"Pod","apiVersion":"admission.k8s.io/v1","request":{"uid":"u"`)).toBeUndefined();
    expect(uidFromPrefix(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"name":"x","uid":"u"`)).toBeUndefined();
    expect(uidFromPrefix(" ".repeat(4096))).toBeUndefined();
  });
});

describe("which requests are evaluated", () => {
  const reason = (operation: string, extra: Record<string, unknown> = {}) => {
    const request = JSON.parse(admissionReview("u", referencePod(), operation, extra)).request;
    return skipReason(request, requestRecord(request), { excludeNamespaces: ["kube-system"] });
  };

  it("CREATE, UPDATE and UPDATE of pods/ephemeralcontainers", () => {
    expect(reason("CREATE")).toBeUndefined();
    expect(reason("UPDATE")).toBeUndefined();
    expect(reason("UPDATE", { subResource: "ephemeralcontainers" })).toBeUndefined();
  });

  it("not DELETE, CONNECT, other subresources or excluded namespaces, each with the reason", () => {
    expect(reason("DELETE")).toBe("operation DELETE is not evaluated");
    expect(reason("CONNECT", { subResource: "exec" })).toBe("operation CONNECT is not evaluated");
    for (const sub of ["status", "scale", "binding", "eviction", "resize"])
      expect(reason("UPDATE", { subResource: sub })).toBe(`subresource ${sub} is not evaluated`);
    expect(reason("CREATE", { namespace: "kube-system" })).toBe("namespace kube-system is excluded");
  });
});
