import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../src/admission/limits.js";
import { startServer, type AdmissionServer, type ServerOptions } from "../../src/admission/server.js";
import type { K8sObject } from "../../src/types.js";
import { tempTree } from "../helpers/tmp.js";
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
} from "./helpers.js";

/** Waivers are approved in the past and run at most a year: dates around the real clock the webhook judges them by. */
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const WAIVERS = `apiVersion: erlmcp-audit/v1
kind: WaiverList
waivers:
  - id: WVR-QUORUM
    control: avl-quorum-replicas
    messageId: evenReplicas
    match: { kind: StatefulSet, namespace: erlmcp, name: erlmcp-even }
    justification: A four-node cluster while the fifth zone is provisioned.
    owner: platform@example.com
    approver: security@example.com
    ticket: SEC-1
    approved: "${day(-1)}"
    expires: "${day(300)}"
`;
const CONFIG = "profile: production\nwaivers: [waivers.yaml]\n";

const dir = tempTree({ "config.yaml": CONFIG, "waivers.yaml": WAIVERS });
const { cert, key } = selfSignedCert(dir);
const logs: any[] = [];

function options(overrides: Partial<ServerOptions> = {}): ServerOptions {
  return testServerOptions(
    dir,
    { cert, key },
    {
      settings: { config: join(dir, "config.yaml"), cwd: dir },
      reloadIntervalMs: 50,
      log: (line) => logs.push(JSON.parse(line)),
      ...overrides,
    },
  );
}

const sts = referenceStatefulSet();
const variant = (name: string, change: (o: any) => void): K8sObject => {
  const copy = structuredClone(sts) as any;
  copy.metadata.name = name;
  change(copy);
  return copy;
};
const writableRoot = variant("erlmcp-rw", (o) =>
  o.spec.template.spec.containers.forEach((c: any) => delete c.securityContext.readOnlyRootFilesystem),
);
const evenReplicas = (name: string) => variant(name, (o) => (o.spec.replicas = 4));
const badPod: K8sObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "debug", namespace: "erlmcp" },
  spec: { hostNetwork: true, containers: [{ name: "shell", image: "busybox:latest" }] },
};
const unreadablePolicy: K8sObject = {
  apiVersion: "networking.k8s.io/v1",
  kind: "NetworkPolicy",
  metadata: { name: "odd", namespace: "erlmcp" },
  spec: { podSelector: {}, ingress: [{ from: 5 }] },
};
const bigPod = (containers: number): K8sObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "big", namespace: "erlmcp" },
  spec: { containers: Array.from({ length: containers }, (_, i) => ({ name: `c${i}`, image: "nginx:latest" })) },
});

/** Limits high enough to let the 8,000-container pod through to its (slow) evaluation. */
const SLOW_OBJECTS_ADMITTED = { maxContainers: 10_000, maxNodes: 1_000_000 };

async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each([
  { threads: "2 worker threads", workers: 2 },
  { threads: "the main thread", workers: 0 },
])("erlmcp-audit serve over HTTPS, evaluating in $threads", ({ workers }) => {
  let server: AdmissionServer;
  const validate = (body: string | Buffer) => call(server.port, cert, "/validate", { body });
  const review = async (uid: string, object: K8sObject, operation?: string, extra?: Record<string, unknown>) => {
    const reply = await validate(admissionReview(uid, object, operation, extra));
    expect(reply.status).toBe(200);
    const json = reply.json();
    expect(json).toMatchObject({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid } });
    return json.response;
  };

  beforeAll(async () => {
    logs.length = 0;
    server = await startServer(options({ workers }));
    // Workers take far longer to load the policies than one HTTPS round trip.
    if (workers) expect((await call(server.port, cert, "/readyz")).status).toBe(503);
    await server.ready;
  });
  afterAll(() => server?.close());

  it("answers health and readiness once the policies are loaded", async () => {
    expect(await call(server.port, cert, "/healthz")).toMatchObject({ status: 200, body: "ok\n" });
    expect(await call(server.port, cert, "/readyz")).toMatchObject({ status: 200, body: "ready\n" });
    expect((await call(server.port, cert, "/nope")).status).toBe(404);
    expect((await call(server.port, cert, "/validate")).status).toBe(405);
  });

  it("allows a compliant object without warnings", async () => {
    expect(await review("allow-1", sts)).toEqual({ uid: "allow-1", allowed: true });
  });

  it("denies, listing each failing control once with its remediation, and warns about the lower ones", async () => {
    const response = await review("deny-1", badPod);
    expect(response.allowed).toBe(false);
    expect(response.status.code).toBe(403);
    const message: string = response.status.message;
    expect(message).toMatch(/^erlmcp-audit denied Pod erlmcp\/debug: 3 failing controls\n/);
    for (const id of ["chg-image-digest (high)", "pod-no-host-access (critical)", "pod-restricted-context (high)"]) {
      expect(message.split("\n").filter((l) => l.startsWith(`- ${id}:`))).toHaveLength(1);
    }
    expect(message).toContain("hostNetwork");
    expect(message.match(/\n {2}Remediation: /g)).toHaveLength(3);
    expect(response.warnings.map((w: string) => w.split(":")[0]).sort()).toEqual([
      "avl-probes-and-shutdown (medium)",
      "chg-traceability-labels (low)",
      "pod-readonly-rootfs (medium)",
      "res-requests-limits (medium)",
    ]);
    expect(response.warnings.every((w: string) => w.length <= 256)).toBe(true);
  });

  it("allows with warnings for findings below --deny-on", async () => {
    const response = await review("warn-1", writableRoot);
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([expect.stringMatching(/^pod-readonly-rootfs \(medium\): /)]);
  });

  it("applies the waiver file: the waived object is allowed, an unwaived twin is denied", async () => {
    expect(await review("waived-1", evenReplicas("erlmcp-even"))).toEqual({ uid: "waived-1", allowed: true });
    expect((await review("waived-2", evenReplicas("erlmcp-other"))).allowed).toBe(false);
    const record = logs.find((l) => l.uid === "waived-1");
    expect(record.controls).toEqual([
      { id: "avl-quorum-replicas", severity: "high", action: "waived", messageId: "evenReplicas", waiver: "WVR-QUORUM" },
    ]);
  });

  it("skips DELETE, excluded namespaces and subresources; fills in the namespace the API server omits", async () => {
    expect(await review("delete-1", badPod, "DELETE")).toEqual({ uid: "delete-1", allowed: true });
    const system = { ...badPod, metadata: { name: "debug", namespace: "kube-system" } };
    expect(await review("system-1", system)).toEqual({ uid: "system-1", allowed: true });
    expect((await review("status-1", badPod, "UPDATE", { subResource: "status" })).allowed).toBe(true);
    expect(logs.find((l) => l.uid === "status-1")).toMatchObject({
      decision: "skipped",
      subResource: "status",
      reason: "subresource status is not evaluated",
    });
    const noNamespace = variant("erlmcp-nons", (o) => delete o.metadata.namespace);
    expect(await review("nons-1", noNamespace, "CREATE", { namespace: "erlmcp" })).toEqual({ uid: "nons-1", allowed: true });
  });

  it("answers malformed JSON, a wrong kind and a missing object with 400 and the reason", async () => {
    const malformed = await validate("{not json");
    expect(malformed.status).toBe(400);
    expect(malformed.json().error).toMatch(/^malformed JSON/);
    const wrongKind = await validate(
      JSON.stringify({ apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview", request: { uid: "x" } }),
    );
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.json().error).toBe("expected an admission.k8s.io/v1 AdmissionReview");
    expect((await validate(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }))).json().error).toMatch(
      /request.uid/,
    );
    const noObject = await validate(admissionReview("noobj-1", { ...badPod }, "CREATE", { object: null }));
    expect(noObject.status).toBe(400);
  });

  it("denies (fail-closed) a NetworkPolicy whose `from` is not a list: read as every source, as Kubernetes reads a missing one", async () => {
    const response = await review("error-1", unreadablePolicy);
    expect(response.allowed).toBe(false);
    expect(response.status.message).toContain("- net-no-open-ingress (high): Ingress rule 0 of NetworkPolicy odd has no `from`");
    expect(logs.find((l) => l.uid === "error-1")).toMatchObject({ decision: "denied", allowed: false });
  });

  it("evaluates pods/ephemeralcontainers: a privileged debug container is denied, a restricted one allowed", async () => {
    const pod = referencePod();
    expect(await review("pod-1", pod)).toEqual({ uid: "pod-1", allowed: true });
    const debug = (container: Record<string, unknown>) =>
      review(`debug-${String(container.name)}`, { ...pod, spec: { ...(pod.spec as object), ephemeralContainers: [container] } }, "UPDATE", {
        subResource: "ephemeralcontainers",
        oldObject: pod,
      });
    const sysadmin = await debug(privilegedContainer("debugger-sysadmin"));
    expect(sysadmin.allowed).toBe(false);
    expect(sysadmin.status.message).toMatch(/^erlmcp-audit denied Pod erlmcp\/erlmcp-0 \(ephemeralcontainers\): \d+ failing controls\n/);
    expect(sysadmin.status.message).toMatch(/- pod-no-host-access \(critical\): .*debugger-sysadmin/);
    const restricted = await debug({
      ...privilegedContainer("debugger-restricted"),
      securityContext: {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      },
    });
    expect(restricted.allowed).toBe(true);
    expect(logs.find((l) => l.uid === "debug-debugger-sysadmin")).toMatchObject({
      operation: "UPDATE",
      kind: "Pod",
      subResource: "ephemeralcontainers",
      decision: "denied",
    });
  });

  it("denies a pods/ephemeralcontainers request that does not carry the Pod", async () => {
    const legacy = {
      apiVersion: "v1",
      kind: "EphemeralContainers",
      metadata: { name: "erlmcp-0", namespace: "erlmcp" },
      ephemeralContainers: [],
    };
    const response = await review("legacy-1", legacy, "UPDATE", { subResource: "ephemeralcontainers" });
    expect(response.allowed).toBe(false);
    expect(response.status.message).toContain(
      "pods/ephemeralcontainers must carry the Pod (Kubernetes 1.22 or later), not kind EphemeralContainers",
    );
  });

  it("denies an object past a limit before evaluating it, naming the limit and its flag", async () => {
    const crowded = { ...badPod, spec: { containers: Array.from({ length: 101 }, (_, i) => privilegedContainer(`c${i}`)) } };
    const response = await review("crowded-1", crowded);
    expect(response).toEqual({
      uid: "crowded-1",
      allowed: false,
      status: {
        code: 403,
        reason: "Forbidden",
        message:
          "erlmcp-audit denied Pod erlmcp/debug without evaluating it: the object has 101 containers (containers, initContainers and ephemeralContainers), over the limit of 100 (--max-containers)",
      },
    });
    expect(logs.find((l) => l.uid === "crowded-1")).toMatchObject({ decision: "over-limit", allowed: false, controls: [] });
  });

  it("refuses a body over 6 MiB: a denial when its uid can be read, else 413; and keeps serving", async () => {
    const oversized = Buffer.alloc(DEFAULT_LIMITS.maxBodyBytes + 1, 0x20);
    const reply = await validate(oversized);
    expect(reply.status).toBe(413);
    expect(reply.json().error).toBe("request body exceeds 6291456 bytes");
    const padded = { ...badPod, metadata: { ...badPod.metadata, annotations: { pad: "x".repeat(DEFAULT_LIMITS.maxBodyBytes) } } };
    const denied = await validate(admissionReview("big-body-1", padded));
    expect(denied.status).toBe(200);
    expect(denied.json().response).toEqual({
      uid: "big-body-1",
      allowed: false,
      status: {
        code: 403,
        reason: "Forbidden",
        message:
          "erlmcp-audit denied the request without evaluating it: the request body exceeds the limit of 6291456 bytes (--max-body-bytes)",
      },
    });
    expect(logs.find((l) => l.uid === "big-body-1")).toMatchObject({ decision: "over-limit", allowed: false });
    expect((await review("after-413", sts)).allowed).toBe(true);
  });

  it("answers 408 when the body does not arrive within the timeout", async () => {
    const stalled = await call(server.port, cert, "/validate", { stall: true });
    expect(stalled.status).toBe(408);
  });

  it("reloads the config and waiver files on change, and keeps the last good config when a change is invalid", async () => {
    writeFileSync(join(dir, "config.yaml"), `${CONFIG}controls:\n  pod-readonly-rootfs: { severity: high }\n`);
    await until(async () => (await review("reload-1", writableRoot)).allowed === false);
    writeFileSync(join(dir, "waivers.yaml"), "apiVersion: erlmcp-audit/v1\nkind: WaiverList\nwaivers: []\n");
    await until(async () => (await review("reload-2", evenReplicas("erlmcp-even"))).allowed === false);
    writeFileSync(join(dir, "config.yaml"), "profile: [not, a, string]\n");
    await until(async () => logs.some((l) => l.msg === "config reload failed; keeping the previous config"));
    expect((await review("reload-3", writableRoot)).allowed).toBe(false);
    writeFileSync(join(dir, "config.yaml"), CONFIG);
    writeFileSync(join(dir, "waivers.yaml"), WAIVERS);
    await until(async () => (await review("reload-4", writableRoot)).allowed === true);
  });

  it("logs one JSON line per decision and exports Prometheus metrics", async () => {
    const denied = logs.filter((l) => l.msg === "admission decision" && l.uid === "deny-1");
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      level: "info",
      operation: "CREATE",
      kind: "Pod",
      namespace: "erlmcp",
      name: "debug",
      user: "alice@example.com",
      decision: "denied",
      allowed: false,
    });
    expect(denied[0].controls).toContainEqual({
      id: "pod-no-host-access",
      severity: "critical",
      action: "deny",
      messageId: "hostNamespace",
    });
    expect(typeof denied[0].durationMs).toBe("number");

    const metrics = await call(server.port, cert, "/metrics");
    expect(metrics.status).toBe(200);
    const text = metrics.body;
    expect(text).toContain('erlmcp_audit_admission_requests_total{path="/validate",code="413"} 1');
    expect(text).toMatch(/erlmcp_audit_admission_decisions_total\{decision="denied"\} \d+/);
    expect(text).toMatch(/erlmcp_audit_admission_control_findings_total\{control="avl-quorum-replicas",action="waived"\} [1-9]/);
    expect(text).toMatch(/erlmcp_audit_admission_control_findings_total\{control="pod-no-host-access",action="deny"\} \d+/);
    expect(text).toMatch(/erlmcp_audit_admission_config_reloads_total\{result="failure"\} 1/);
    const count = Number(/erlmcp_audit_admission_review_duration_seconds_count (\d+)/.exec(text)?.[1]);
    expect(count).toBeGreaterThan(10);
    expect(text).toContain(`erlmcp_audit_admission_review_duration_seconds_bucket{le="+Inf"} ${count}`);
  });

  it.skipIf(workers === 0)("denies (fail-closed) when evaluation outlasts the timeout, and replaces that worker", async () => {
    const slow = await startServer(options({ workers: 1, timeoutMs: 1000, limits: SLOW_OBJECTS_ADMITTED }));
    try {
      await slow.ready;
      // Evaluating 8,000 containers takes tens of seconds: the stuck worker must be replaced, not waited for.
      const reply = await call(slow.port, cert, "/validate", { body: admissionReview("slow-1", bigPod(8000)) });
      expect(reply.json().response).toMatchObject({ uid: "slow-1", allowed: false, status: { code: 500 } });
      expect(reply.json().response.status.message).toBe(
        "erlmcp-audit denied Pod erlmcp/big: the request could not be evaluated: evaluation timed out after 1000 ms",
      );
      expect(logs.find((l) => l.uid === "slow-1")).toMatchObject({ decision: "error", causedBy: "request", allowed: false });
      const started = Date.now();
      await until(
        async () =>
          (await call(slow.port, cert, "/validate", { body: admissionReview("after-slow", sts) })).json().response.allowed === true,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      // The thread of the slow review is replaced, or a spare started while it was slow takes its place.
      await until(async () => logs.some((l) => l.msg === "worker replaced" || l.msg === "spare worker started"), 30_000);
    } finally {
      await slow.close();
    }
  });
});

describe("a slow request beside others", () => {
  it.each([
    // Long enough for a spare worker thread to start from the TypeScript sources on a loaded machine.
    { workers: 2, how: "the other worker takes them", timeoutMs: 15_000 },
    { workers: 1, how: "the standby thread takes them", timeoutMs: 15_000 },
  ])("with $workers worker(s), $how: each is answered within its own deadline, only the slow one fails", async ({ workers, timeoutMs }) => {
    const server = await startServer(options({ workers, timeoutMs, slowAfterMs: 100, limits: SLOW_OBJECTS_ADMITTED }));
    try {
      await server.ready;
      const send = (uid: string, object: K8sObject) => {
        const sent = Date.now();
        return call(server.port, cert, "/validate", { body: admissionReview(uid, object) }).then((r) => ({
          ms: Date.now() - sent,
          response: r.json().response,
        }));
      };
      const slow = send(`slow-${workers}`, bigPod(8000));
      await new Promise((r) => setTimeout(r, 50));
      const others = await Promise.all([
        ...[0, 1, 2].map((i) => send(`good-${workers}-${i}`, sts)),
        ...[0, 1, 2].map((i) => send(`bad-${workers}-${i}`, badPod)),
      ]);
      // The slow one is denied either way: by its timeout on a slow machine, by its own findings on a fast one.
      const first = await slow;
      expect(first.response.allowed).toBe(false);
      expect(first.response.status.message).toMatch(
        new RegExp(
          `(could not be evaluated: evaluation timed out after ${timeoutMs} ms$|^erlmcp-audit denied Pod erlmcp/big: \\d+ failing controls)`,
        ),
      );
      for (const [i, other] of others.entries()) {
        // Each within its own deadline; which finishes first under a loaded machine is not the point.
        expect(other.ms).toBeLessThan(timeoutMs);
        expect(other.response.allowed).toBe(i < 3);
        if (i >= 3) expect(other.response.status.message).toMatch(/^erlmcp-audit denied Pod erlmcp\/debug: 3 failing controls/);
      }
      const decisions = logs.filter((l) => l.uid?.endsWith(`-${workers}-0`) || l.uid?.endsWith(`-${workers}-1`)).map((l) => l.decision);
      expect(decisions.sort()).toEqual(["allowed", "allowed", "denied", "denied"]);
    } finally {
      await server.close();
    }
  });
});

describe("erlmcp-audit serve --on-error allow", () => {
  it("still denies what the request caused: a malformed object, a stack overflow, a timeout", async () => {
    const server = await startServer(
      options({ workers: 2, onError: "allow", timeoutMs: 1000, limits: { ...SLOW_OBJECTS_ADMITTED, maxDepth: 1_000_000 } }),
    );
    try {
      await server.ready;
      const validate = (body: string) => call(server.port, cert, "/validate", { body }).then((r) => r.json().response);
      const unreadable = await validate(admissionReview("open-error-1", unreadablePolicy));
      expect(unreadable.allowed).toBe(false);
      expect(unreadable.status.message).toContain("- net-no-open-ingress (high): Ingress rule 0 of NetworkPolicy odd has no `from`");
      const deep = { ...badPod, spec: { containers: [{ ...privilegedContainer("shell"), args: "DEEP" }] } };
      const overflow = await validate(withRawJson(admissionReview("open-error-2", deep), "DEEP", deepJson(200_000)));
      expect(overflow).toMatchObject({ allowed: false, status: { code: 500 } });
      // Denied either way: by the stack overflow it causes, or on a loaded machine by the timeout first.
      expect(overflow.status.message).toMatch(
        /^erlmcp-audit denied Pod erlmcp\/debug: the request could not be evaluated: (.*call stack|evaluation timed out after 1000 ms$)/,
      );
      const slow = await validate(admissionReview("open-error-3", bigPod(8000)));
      expect(slow.allowed).toBe(false);
      expect(slow.status.message).toMatch(/evaluation timed out after 1000 ms$/);
      expect(logs.find((l) => l.uid === "open-error-1")).toMatchObject({ decision: "denied", allowed: false });
      for (const uid of ["open-error-2", "open-error-3"])
        expect(logs.find((l) => l.uid === uid)).toMatchObject({ decision: "error", causedBy: "request", allowed: false });
      expect(await validate(admissionReview("open-ok", sts))).toEqual({ uid: "open-ok", allowed: true });
      const metrics = (await call(server.port, cert, "/metrics")).body;
      expect(metrics).toContain('erlmcp_audit_admission_evaluation_failures_total{cause="request",allowed="false"} 2');
    } finally {
      await server.close();
    }
  });

  it.each(["allow", "deny"] as const)(
    "answers per --on-error %s when the policies cannot be loaded (a failure of the webhook itself)",
    async (onError) => {
      const saved = process.env.ERLMCP_AUDIT_POLICY_DIST;
      process.env.ERLMCP_AUDIT_POLICY_DIST = tempTree({});
      const server = await startServer(options({ workers: 1, onError }));
      try {
        await expect(server.ready).rejects.toThrow(/while loading the policies/);
        expect((await call(server.port, cert, "/readyz")).status).toBe(503);
        const response = (await call(server.port, cert, "/validate", { body: admissionReview(`noload-${onError}`, badPod) })).json()
          .response;
        expect(response.allowed).toBe(onError === "allow");
        const text = onError === "allow" ? response.warnings[0] : response.status.message;
        expect(text).toMatch(/^erlmcp-audit could not evaluate the request: the policies could not be loaded: evaluation worker exited/);
        expect(logs.find((l) => l.uid === `noload-${onError}`)).toMatchObject({ decision: "error", causedBy: "webhook" });
        // What the webhook skips is allowed whatever happened to the policies.
        expect(
          (await call(server.port, cert, "/validate", { body: admissionReview("noload-delete", badPod, "DELETE") })).json().response,
        ).toEqual({
          uid: "noload-delete",
          allowed: true,
        });
      } finally {
        process.env.ERLMCP_AUDIT_POLICY_DIST = saved;
        if (saved === undefined) delete process.env.ERLMCP_AUDIT_POLICY_DIST;
        await server.close();
      }
    },
  );

  it("allows once no worker can run, while the requests that timed out are still denied", async () => {
    const bundle = tempTree({});
    cpSync(new URL("../../policies/dist", import.meta.url), bundle, { recursive: true });
    const saved = process.env.ERLMCP_AUDIT_POLICY_DIST;
    process.env.ERLMCP_AUDIT_POLICY_DIST = bundle;
    const server = await startServer(
      options({ workers: 1, onError: "allow", timeoutMs: 1000, slowAfterMs: 100, limits: SLOW_OBJECTS_ADMITTED }),
    );
    try {
      await server.ready;
      rmSync(bundle, { recursive: true, force: true });
      // Two slow reviews take the worker and the standby; neither can be replaced without the bundle.
      const slow = await Promise.all(
        ["down-1", "down-2"].map(
          async (uid) => (await call(server.port, cert, "/validate", { body: admissionReview(uid, bigPod(8000)) })).json().response,
        ),
      );
      for (const response of slow) expect(response).toMatchObject({ allowed: false, status: { code: 500 } });
      await until(async () => logs.some((l) => l.msg === "worker start failed" && /retrying/.test(l.detail)), 30_000);
      expect((await call(server.port, cert, "/readyz")).status).toBe(503);
      const open = (await call(server.port, cert, "/validate", { body: admissionReview("down-3", badPod) })).json().response;
      expect(open).toEqual({
        uid: "down-3",
        allowed: true,
        warnings: ["erlmcp-audit could not evaluate the request: no evaluation worker is running (allowed by --on-error allow)"],
      });
    } finally {
      process.env.ERLMCP_AUDIT_POLICY_DIST = saved;
      if (saved === undefined) delete process.env.ERLMCP_AUDIT_POLICY_DIST;
      await server.close();
    }
  });
});

describe("erlmcp-audit serve --mode warn", () => {
  it("never denies: findings, limits and failures caused by the request become warnings", async () => {
    const server = await startServer(options({ workers: 1, mode: "warn", timeoutMs: 1000, limits: SLOW_OBJECTS_ADMITTED }));
    try {
      await server.ready;
      const validate = (uid: string, object: K8sObject) =>
        call(server.port, cert, "/validate", { body: admissionReview(uid, object) }).then((r) => r.json().response);
      const warned = await validate("warn-2", badPod);
      expect(warned.allowed).toBe(true);
      expect(warned.warnings).toContainEqual(expect.stringMatching(/^pod-no-host-access \(critical\): /));
      const unreadable = await validate("warn-3", unreadablePolicy);
      expect(unreadable.allowed).toBe(true);
      expect(unreadable.warnings).toContainEqual(
        expect.stringMatching(/^net-no-open-ingress \(high\): Ingress rule 0 of NetworkPolicy odd has no `from`/),
      );
      expect(await validate("warn-4", bigPod(10_001))).toEqual({
        uid: "warn-4",
        allowed: true,
        warnings: [
          "erlmcp-audit would deny Pod erlmcp/big without evaluating it: the object has 10001 containers (containers, initContainers and ephemeralContainers), over the limit of 10000 (--max-containers)",
        ],
      });
      expect(await validate("warn-1", bigPod(8000))).toEqual({
        uid: "warn-1",
        allowed: true,
        warnings: ["erlmcp-audit would deny Pod erlmcp/big: the request could not be evaluated: evaluation timed out after 1000 ms"],
      });
    } finally {
      await server.close();
    }
  });
});

describe("graceful shutdown", () => {
  it("finishes in-flight reviews, then refuses connections and stops the workers", async () => {
    const server = await startServer(options({ workers: 1, shutdownDelayMs: 100, limits: { maxContainers: 1000, maxNodes: 1_000_000 } }));
    await server.ready;
    const inFlight = call(server.port, cert, "/validate", { body: admissionReview("inflight-1", bigPod(400)) });
    await new Promise((r) => setTimeout(r, 50));
    const closed = server.close();
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(reply.json().response).toMatchObject({ uid: "inflight-1", allowed: false });
    await closed;
    await expect(call(server.port, cert, "/healthz")).rejects.toThrow(/ECONNREFUSED/);
    expect(logs.at(-1)).toMatchObject({ msg: "stopped" });
  });
});

describe("certificate rotation", () => {
  it("serves a renewed certificate without a restart", async () => {
    const tlsDir = tempTree({});
    const first = selfSignedCert(tlsDir);
    const before = readFileSync(first.cert, "utf8");
    const server = await startServer(options({ workers: 0, tlsCert: first.cert, tlsKey: first.key }));
    try {
      await server.ready;
      expect((await call(server.port, first.cert, "/healthz")).status).toBe(200);
      selfSignedCert(tlsDir);
      expect(readFileSync(first.cert, "utf8")).not.toBe(before);
      await until(async () => (await call(server.port, first.cert, "/healthz").catch(() => ({ status: 0 }))).status === 200);
      expect(logs.some((l) => l.msg === "certificate reloaded")).toBe(true);
    } finally {
      await server.close();
    }
  });
});
