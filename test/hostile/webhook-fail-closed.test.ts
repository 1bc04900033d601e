/**
 * The admission webhook fails closed. Each case hides a privileged container behind a way of getting
 * past the webhook: a request too large or too complex to evaluate, a debug container added through
 * pods/ephemeralcontainers, a request whose own evaluation fails or times out under --on-error allow,
 * and a slow request sent beside it. Each is denied with a message that says why, while the good
 * object sent beside it is still evaluated and allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type AdmissionServer, type ServerOptions } from "../../src/admission/server.js";
import type { K8sObject } from "../../src/types.js";
import {
  admissionReview,
  call,
  deepJson,
  privilegedContainer,
  referencePod,
  referenceStatefulSet,
  selfSignedCert,
  testServerOptions,
  withRawJson,
} from "../admission/helpers.js";
import { tempTree } from "../helpers/tmp.js";

const dir = tempTree({});
const { cert, key } = selfSignedCert(dir);
const logs: any[] = [];
const good = referenceStatefulSet();

function options(overrides: Partial<ServerOptions>): ServerOptions {
  return testServerOptions(dir, { cert, key }, { onError: "allow", log: (line) => logs.push(JSON.parse(line)), ...overrides });
}

/** The reference Pod with a privileged container added to one of its lists. */
function withPrivileged(change: (spec: any) => void = (spec) => spec.containers.push(privilegedContainer("root-shell"))): K8sObject {
  const pod = referencePod("hidden");
  change(pod.spec);
  return pod;
}

function serving(overrides: Partial<ServerOptions>) {
  let server: AdmissionServer;
  beforeAll(async () => {
    server = await startServer(options(overrides));
    await server.ready;
  });
  afterAll(() => server?.close());
  return {
    send: (body: string) => call(server.port, cert, "/validate", { body }).then((r) => ({ status: r.status, response: r.json().response })),
  };
}

describe("a privileged container behind a request too large or too complex to evaluate", () => {
  const limits = { maxBodyBytes: 256 * 1024, maxContainers: 8, maxVolumes: 16, maxDepth: 32, maxNodes: 2000 };
  const { send } = serving({ limits });

  it.each([
    [
      "a body over --max-body-bytes",
      () =>
        admissionReview(
          "big-body",
          withPrivileged((spec) => spec.containers.push({ ...privilegedContainer(), args: ["x".repeat(300_000)] })),
        ),
      "the request without evaluating it: the request body exceeds the limit of 262144 bytes (--max-body-bytes)",
    ],
    [
      "containers, init and ephemeral containers over --max-containers",
      () =>
        admissionReview(
          "crowded",
          withPrivileged((spec) => {
            spec.initContainers = [1, 2, 3, 4].map((i) => privilegedContainer(`init-${i}`));
            spec.ephemeralContainers = [1, 2, 3, 4].map((i) => privilegedContainer(`debug-${i}`));
          }),
        ),
      "Pod erlmcp/hidden without evaluating it: the object has 9 containers (containers, initContainers and ephemeralContainers), over the limit of 8 (--max-containers)",
    ],
    [
      "volumes over --max-volumes",
      () =>
        admissionReview(
          "volumes",
          withPrivileged((spec) => {
            spec.containers.push(privilegedContainer());
            spec.volumes = Array.from({ length: 17 }, (_, i) => ({ name: `v${i}`, emptyDir: {} }));
          }),
        ),
      "Pod erlmcp/hidden without evaluating it: the object has 17 volumes, over the limit of 16 (--max-volumes)",
    ],
    [
      "nesting over --max-depth",
      () =>
        withRawJson(
          admissionReview(
            "deep",
            withPrivileged((spec) => spec.containers.push({ ...privilegedContainer(), args: "DEEP" })),
          ),
          "DEEP",
          deepJson(30_000),
        ),
      "Pod erlmcp/hidden without evaluating it: the object is nested at least 33 levels deep, over the limit of 32 (--max-depth)",
    ],
    [
      "keys and items over --max-nodes",
      () =>
        admissionReview(
          "wide",
          withPrivileged((spec) =>
            spec.containers.push({
              ...privilegedContainer(),
              env: Array.from({ length: 1000 }, (_, i) => ({ name: `V${i}`, value: "x" })),
            }),
          ),
        ),
      "Pod erlmcp/hidden without evaluating it: the object has at least",
    ],
  ])("%s is denied before evaluation, even with --on-error allow", async (_, body, reason) => {
    const { status, response } = await send(body());
    expect(status).toBe(200);
    expect(response.allowed).toBe(false);
    expect(response.status.code).toBe(403);
    expect(response.status.message).toContain(`erlmcp-audit denied ${reason}`);
    expect(logs.find((l) => l.uid === response.uid)).toMatchObject({ decision: "over-limit", allowed: false, controls: [] });
    expect((await send(admissionReview(`good-after-${response.uid}`, good))).response).toEqual({
      uid: `good-after-${response.uid}`,
      allowed: true,
    });
  });
});

describe("a privileged container added by kubectl debug (pods/ephemeralcontainers)", () => {
  const { send } = serving({});

  it("is denied, while the pod itself and a restricted debug container are allowed", async () => {
    const pod = referencePod("erlmcp-0");
    expect((await send(admissionReview("pod", pod))).response).toEqual({ uid: "pod", allowed: true });
    const debug = (uid: string, container: Record<string, unknown>) =>
      send(
        admissionReview(uid, { ...pod, spec: { ...(pod.spec as object), ephemeralContainers: [container] } }, "UPDATE", {
          subResource: "ephemeralcontainers",
          oldObject: pod,
        }),
      );
    const sysadmin = (await debug("debug-sysadmin", privilegedContainer("debugger-sysadmin"))).response;
    expect(sysadmin.allowed).toBe(false);
    expect(sysadmin.status.message).toMatch(/^erlmcp-audit denied Pod erlmcp\/erlmcp-0 \(ephemeralcontainers\): /);
    expect(sysadmin.status.message).toMatch(/- pod-no-host-access \(critical\): [^\n]*debugger-sysadmin/);
    const restricted = {
      ...privilegedContainer("debugger-restricted"),
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      },
    };
    expect((await debug("debug-restricted", restricted)).response.allowed).toBe(true);
  });
});

describe("a privileged container in a request whose own evaluation fails, with --on-error allow", () => {
  // Limits raised so that the hostile objects reach evaluation and fail there.
  const { send } = serving({ timeoutMs: 1500, limits: { maxContainers: 10_000, maxNodes: 1_000_000, maxDepth: 1_000_000 } });

  it("is denied when evaluating it overflows the stack", async () => {
    const body = withRawJson(
      admissionReview(
        "overflow",
        withPrivileged((spec) => spec.containers.push({ ...privilegedContainer(), args: "DEEP" })),
      ),
      "DEEP",
      deepJson(200_000),
    );
    const { response } = await send(body);
    expect(response.allowed).toBe(false);
    expect(response.status.message).toMatch(/^erlmcp-audit denied Pod erlmcp\/hidden: the request could not be evaluated: .*call stack/);
    expect(logs.find((l) => l.uid === "overflow")).toMatchObject({ decision: "error", causedBy: "request", allowed: false });
  });

  it("is denied when its evaluation outlasts the timeout", async () => {
    const crowd = withPrivileged((spec) => spec.containers.push(...Array.from({ length: 8000 }, (_, i) => privilegedContainer(`c${i}`))));
    const { response } = await send(admissionReview("timeout", crowd));
    expect(response.allowed).toBe(false);
    expect(response.status.message).toBe(
      "erlmcp-audit denied Pod erlmcp/hidden: the request could not be evaluated: evaluation timed out after 1500 ms",
    );
    expect(logs.find((l) => l.uid === "timeout")).toMatchObject({ decision: "error", causedBy: "request", allowed: false });
    expect((await send(admissionReview("good-after-timeout", good))).response).toEqual({ uid: "good-after-timeout", allowed: true });
  });
});

describe("a privileged container sent beside a deliberately slow request", () => {
  // Long enough for a spare worker thread to start from the TypeScript sources on a loaded machine.
  const timeoutMs = 15_000;
  const { send } = serving({ timeoutMs, slowAfterMs: 100, limits: { maxContainers: 10_000, maxNodes: 1_000_000 } });

  it("is denied by its findings within its own deadline, and the good object beside it allowed", async () => {
    const timed = (body: string) => {
      const sent = Date.now();
      return send(body).then(({ response }) => ({ response, ms: Date.now() - sent }));
    };
    const slowPod = referencePod("slow");
    (slowPod.spec as any).containers.push(...Array.from({ length: 8000 }, (_, i) => ({ name: `c${i}`, image: "nginx:latest" })));
    const slow = timed(admissionReview("slow", slowPod));
    await new Promise((r) => setTimeout(r, 50));
    const [hidden, allowed] = await Promise.all([
      timed(admissionReview("beside-slow", withPrivileged())),
      timed(admissionReview("good-beside-slow", good)),
    ]);
    expect(hidden.response.allowed).toBe(false);
    expect(hidden.response.status.message).toMatch(/^erlmcp-audit denied Pod erlmcp\/hidden: \d+ failing controls?\n/);
    expect(hidden.response.status.message).toMatch(/- pod-no-host-access \(critical\): [^\n]*root-shell/);
    expect(allowed.response).toEqual({ uid: "good-beside-slow", allowed: true });
    // The slow one is denied either way: by its timeout on a slow machine, by its own findings on a fast one.
    const first = await slow;
    expect(first.response.allowed).toBe(false);
    expect(first.response.status.message).toMatch(
      new RegExp(
        `^erlmcp-audit denied Pod erlmcp/slow: (the request could not be evaluated: evaluation timed out after ${timeoutMs} ms$|\\d+ failing controls)`,
      ),
    );
    for (const other of [hidden, allowed]) expect(other.ms).toBeLessThan(timeoutMs);
  });
});
