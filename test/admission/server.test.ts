import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type AdmissionServer, type ServerOptions } from "../../src/admission/server.js";
import type { K8sObject } from "../../src/types.js";
import { tempTree } from "../helpers/tmp.js";
import { admissionReview, call, referenceStatefulSet, selfSignedCert } from "./helpers.js";

const WAIVERS = `apiVersion: erlmcp-audit/v1
kind: WaiverList
waivers:
  - id: WVR-QUORUM
    control: avl-quorum-replicas
    match: { kind: StatefulSet, namespace: erlmcp, name: erlmcp-even }
    justification: A four-node cluster while the fifth zone is provisioned.
    owner: platform@example.com
    approver: security@example.com
    ticket: SEC-1
    expires: "2999-12-31"
`;
const CONFIG = "profile: production\nwaivers: [waivers.yaml]\n";

const dir = tempTree({ "config.yaml": CONFIG, "waivers.yaml": WAIVERS });
const { cert, key } = selfSignedCert(dir);
const logs: any[] = [];

function options(overrides: Partial<ServerOptions> = {}): ServerOptions {
  return {
    tlsCert: cert,
    tlsKey: key,
    port: 0,
    host: "127.0.0.1",
    settings: { config: join(dir, "config.yaml"), cwd: dir },
    denyOn: "high",
    mode: "enforce",
    onError: "deny",
    excludeNamespaces: ["kube-system"],
    workers: 2,
    timeoutMs: 3000,
    reloadIntervalMs: 50,
    shutdownDelayMs: 0,
    log: (line) => logs.push(JSON.parse(line)),
    ...overrides,
  };
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

  it("denies (fail-closed) an object an engine cannot evaluate, and logs the error", async () => {
    const response = await review("error-1", unreadablePolicy);
    expect(response.allowed).toBe(false);
    expect(response.status.message).toContain("- net-no-open-ingress (high): typescript could not evaluate net-no-open-ingress: ");
    expect(logs.find((l) => l.uid === "error-1")).toMatchObject({ decision: "error", allowed: false });
  });

  it("refuses a body over 3 MiB with 413 and keeps serving", async () => {
    const oversized = Buffer.alloc(3 * 1024 * 1024 + 1, 0x20);
    const reply = await validate(oversized);
    expect(reply.status).toBe(413);
    expect(reply.json().error).toBe("request body exceeds 3145728 bytes");
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

  it.skipIf(workers === 0)("denies (fail-closed) when evaluation outlasts the timeout", async () => {
    const slow = await startServer(options({ workers: 1, timeoutMs: 150 }));
    try {
      await slow.ready;
      // Evaluating 8,000 containers takes tens of seconds: the stuck worker must be replaced, not waited for.
      const reply = await call(slow.port, cert, "/validate", { body: admissionReview("slow-1", bigPod(8000)) });
      expect(reply.json().response).toMatchObject({ uid: "slow-1", allowed: false, status: { code: 500 } });
      expect(reply.json().response.status.message).toBe("erlmcp-audit could not evaluate the request: evaluation timed out after 150 ms");
      const started = Date.now();
      await until(
        async () =>
          (await call(slow.port, cert, "/validate", { body: admissionReview("after-slow", sts) })).json().response.allowed === true,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await slow.close();
    }
  });
});

describe("erlmcp-audit serve --on-error allow --mode warn", () => {
  it("allows with a warning when evaluation outlasts the timeout, and never denies", async () => {
    const server = await startServer(options({ workers: 1, onError: "allow", mode: "warn", timeoutMs: 150 }));
    try {
      await server.ready;
      const warned = (await call(server.port, cert, "/validate", { body: admissionReview("open-2", badPod) })).json().response;
      expect(warned.allowed).toBe(true);
      expect(warned.warnings).toContainEqual(expect.stringMatching(/^pod-no-host-access \(critical\): /));
      const unreadable = (await call(server.port, cert, "/validate", { body: admissionReview("open-3", unreadablePolicy) })).json()
        .response;
      expect(unreadable.allowed).toBe(true);
      expect(unreadable.warnings).toContainEqual(expect.stringMatching(/^net-no-open-ingress \(high\): typescript could not evaluate/));
      const slow = (await call(server.port, cert, "/validate", { body: admissionReview("open-1", bigPod(2000)) })).json().response;
      expect(slow).toEqual({
        uid: "open-1",
        allowed: true,
        warnings: ["erlmcp-audit could not evaluate the request: evaluation timed out after 150 ms"],
      });
    } finally {
      await server.close();
    }
  });
});

describe("graceful shutdown", () => {
  it("finishes in-flight reviews, then refuses connections and stops the workers", async () => {
    const server = await startServer(options({ workers: 1, shutdownDelayMs: 100 }));
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
