/**
 * End-to-end admission: a real kube-apiserver calls `erlmcp-audit serve` (loopback, TLS from the test
 * cluster's CA) registered with the ValidatingWebhookConfiguration of manifests/admission, changed only in
 * `clientConfig` (a URL instead of the Service) and run with the Deployment's own flags and config.
 * Writes go through server-side apply (`kubectl apply --server-side`), `dryRun=All` (`--dry-run=server`)
 * where nothing needs storing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { meetsThreshold } from "../../src/gate/threshold.js";
import type { K8sObject } from "../../src/types.js";
import { privilegedContainer, referencePod, referenceStatefulSet } from "../admission/helpers.js";
import { readFixtures, type Fixture } from "../fixture-files.js";
import { REJECTED_BY_API_SERVER } from "./fixtures-rejected.js";
import { clusterTestsEnabled, useTestCluster, waitFor, type ApiReply, type TestCluster } from "../helpers/cluster.js";

const ENTRY = join(PACKAGE_ROOT, "test", "admission", "cli-entry.ts");
const ADMISSION = join(PACKAGE_ROOT, "manifests", "admission");
const WEBHOOK_NAME = "validate.erlmcp-audit.erlmcp.io";

const readDocs = (path: string) =>
  parseAllDocuments(readFileSync(path, "utf8"))
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => o && typeof o === "object" && o.kind);

/** The webhook's container args in manifests/admission/deployment.yaml, without the ones naming files and ports. */
function deploymentArgs(): string[] {
  const deployment = readDocs(join(ADMISSION, "deployment.yaml")).find((o) => o.kind === "Deployment") as any;
  const args: string[] = deployment.spec.template.spec.containers[0].args;
  return args.filter((a) => !/^--(tls-cert|tls-key|config|port|workers)=/.test(a) && a !== "serve");
}

/** manifests/admission/webhook.yaml with clientConfig pointing at url and trusting caFile. */
function webhookConfiguration(url: string, caFile: string): K8sObject {
  const config = readDocs(join(ADMISSION, "webhook.yaml")).find((o) => o.kind === "ValidatingWebhookConfiguration") as any;
  delete config.metadata.annotations["cert-manager.io/inject-ca-from"];
  for (const hook of config.webhooks) hook.clientConfig = { url, caBundle: readFileSync(caFile).toString("base64") };
  return config;
}

/** `erlmcp-audit serve` from the TypeScript sources; resolves once it listens and has loaded its policies. */
async function startWebhook(cluster: TestCluster): Promise<{ child: ChildProcess; port: number }> {
  const args = ["serve", "--tls-cert", cluster.webhookCert, "--tls-key", cluster.webhookKey, "--port", "0", "--host", "127.0.0.1"];
  // The reference deployment's config and reviewed waivers, as the CI gate uses them (the ConfigMap's comment).
  args.push(
    "--config",
    join(PACKAGE_ROOT, "manifests", "erlmcp-audit.config.yaml"),
    "--workers",
    "1",
    "--shutdown-delay",
    "0",
    ...deploymentArgs(),
  );
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], { cwd: PACKAGE_ROOT, stdio: ["ignore", "pipe", "inherit"] });
  let port = 0;
  await new Promise<void>((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`erlmcp-audit serve exited with ${code} before loading its policies`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const entry = JSON.parse(line) as { msg: string; port?: number };
      if (entry.msg === "listening") port = entry.port!;
      if (entry.msg === "policies loaded") resolve();
    });
  });
  return { child, port };
}

/** Denied by either of our webhooks: the listed kinds, or custom workloads (`workloads.` + WEBHOOK_NAME). */
const deniedByUs = (reply: ApiReply) =>
  reply.status === 403 &&
  [WEBHOOK_NAME, `workloads.${WEBHOOK_NAME}`].some((name) =>
    String(reply.body.message).includes(`admission webhook "${name}" denied the request`),
  );

/**
 * A Pod of the reference StatefulSet as its controller creates it: the volumes of its
 * volumeClaimTemplates added (the API server rejects a mount of a volume the Pod does not have).
 */
const compliantPod = (name: string, namespace = "erlmcp"): K8sObject => {
  const pod = referencePod(name) as any;
  pod.metadata.namespace = namespace;
  const claims = (referenceStatefulSet().spec as any).volumeClaimTemplates ?? [];
  for (const claim of claims)
    pod.spec.volumes = [
      ...(pod.spec.volumes ?? []),
      { name: claim.metadata.name, persistentVolumeClaim: { claimName: `${claim.metadata.name}-${name}` } },
    ];
  return pod;
};

/** The compliant Pod with its first container privileged (which the API server accepts only with privilege escalation allowed). */
const privilegedPod = (name: string, namespace = "erlmcp"): K8sObject => {
  const pod = compliantPod(name, namespace) as any;
  pod.spec.containers[0].securityContext = { ...pod.spec.containers[0].securityContext, privileged: true, allowPrivilegeEscalation: true };
  return pod;
};

const objectScope = loadCatalog().filter((c) => c.scope === "object");
/**
 * Fixtures a cluster never judges as written, with the reason; checked both ways: a listed fixture must
 * still deviate (the API server rejects an object itself, or the verdict differs), an unlisted one must not.
 */
const NOT_AS_WRITTEN: Record<string, string> = {
  ...Object.fromEntries(Object.entries(REJECTED_BY_API_SERVER).map(([name, why]) => [name, `the API server rejects it: ${why}`])),
  "pod-namespace-placement fail.default-namespace.yaml":
    "its ConfigMap is in kube-system, which the webhook configuration excludes (namespaceSelector and --exclude-namespaces)",
  ...Object.fromEntries(
    ["pod-no-host-access", "pod-restricted-context"].map((id) => [
      `${id} fail.custom-resource-embedded-pods.yaml`,
      "the Volcano-shaped Job carries its pods only in spec.tasks[].template, which the custom-workload webhook's match conditions (the generic pod-template paths) do not send: the CLI judges it, admission does not see it",
    ]),
  ),
};

const enabled = clusterTestsEnabled("test/cluster/admission.test.ts (end-to-end admission)");

describe.runIf(enabled)("a real API server calls erlmcp-audit serve", () => {
  const cluster = useTestCluster();
  let webhook: { child: ChildProcess; port: number };
  const fixtureObjects = objectScope.flatMap((c) => readFixtures(c.id)).flatMap((f) => readDocs(f.path));
  const reference = [join(PACKAGE_ROOT, "manifests", "standalone"), join(PACKAGE_ROOT, "manifests", "standalone", "canary")].flatMap(
    (dir) => (readDocs(join(dir, "kustomization.yaml"))[0] as any).resources.flatMap((f: string) => readDocs(join(dir, f))),
  );

  beforeAll(async () => {
    const c = cluster();
    // Namespaces first, before the webhook judges Namespace objects.
    await c.prepareFor([...reference, ...fixtureObjects], ["erlmcp", "erlmcp-audit-system", "kube-system"]);
    webhook = await startWebhook(c);
    const registered = await c.apply(webhookConfiguration(`https://127.0.0.1:${webhook.port}/validate`, c.caFile));
    expect(registered.status, JSON.stringify(registered.body)).toBeLessThan(300);
    // The API server picks the configuration up asynchronously.
    let last: ApiReply | undefined;
    await waitFor(
      async () => deniedByUs((last = await c.apply(privilegedPod("probe"), { dryRun: true }))),
      () => `the webhook configuration in effect; last reply: ${JSON.stringify(last)}`,
    );
  }, 180_000);
  afterAll(() => {
    webhook?.child.kill("SIGKILL");
  });

  it("denies a privileged Pod and a Deployment with a privileged template, created or dry-run, with the webhook's message", async () => {
    const c = cluster();
    const pod = privilegedPod("privileged");
    const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "privileged", namespace: "erlmcp" } } as any;
    deployment.metadata.labels = pod.metadata!.labels;
    deployment.spec = {
      replicas: 1,
      selector: { matchLabels: pod.metadata!.labels },
      template: { metadata: { labels: pod.metadata!.labels }, spec: pod.spec },
    };
    for (const object of [pod, deployment]) {
      for (const dryRun of [true, false]) {
        const reply = await c.create(object, { dryRun });
        expect(deniedByUs(reply), JSON.stringify(reply.body)).toBe(true);
        expect(reply.body.message).toContain(`erlmcp-audit denied ${object.kind} erlmcp/privileged`);
        expect(reply.body.message).toMatch(/- pod-no-host-access \(critical\): .*privileged: true/);
      }
      expect((await c.request("GET", await c.pathOf(object))).status).toBe(404);
    }
  });

  it("admits a Pod whose only findings are below --deny-on=high, with the webhook's warnings", async () => {
    const c = cluster();
    const pod = compliantPod("no-limits") as any;
    delete pod.spec.containers[0].resources;
    for (const dryRun of [true, false]) {
      const reply = await c.create(pod, { dryRun });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
      expect(reply.warnings.some((w) => w.startsWith("res-requests-limits (medium): "))).toBe(true);
    }
  });

  it("evaluates an ephemeral-container update: kubectl debug's privileged container is denied, a compliant one added", async () => {
    const c = cluster();
    const pod = compliantPod("debug-target");
    expect((await c.create(pod)).status).toBe(201);
    const path = `${await c.pathOf(pod)}/ephemeralcontainers`;
    const withEphemeral = async (container: Record<string, unknown>) => {
      const current = (await c.request("GET", await c.pathOf(pod))).body;
      current.spec.ephemeralContainers = [container];
      return c.request("PUT", path, current);
    };
    const privileged = await withEphemeral(privilegedContainer("debugger"));
    expect(deniedByUs(privileged), JSON.stringify(privileged.body)).toBe(true);
    expect(privileged.body.message).toMatch(/- pod-no-host-access \(critical\): .*debugger.*privileged: true/);

    const compliant = structuredClone((pod.spec as any).containers[0]);
    delete compliant.ports;
    delete compliant.livenessProbe;
    delete compliant.readinessProbe;
    delete compliant.startupProbe;
    delete compliant.resources;
    delete compliant.lifecycle;
    const added = await withEphemeral({ ...compliant, name: "debugger" });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body.spec.ephemeralContainers.map((e: { name: string }) => e.name)).toEqual(["debugger"]);
  });

  it("leaves the namespaces excluded by the webhook configuration alone (kube-system, erlmcp-audit-system)", async () => {
    const c = cluster();
    for (const namespace of ["kube-system", "erlmcp-audit-system"]) {
      const reply = await c.create(privilegedPod("privileged", namespace), { dryRun: true });
      expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    }
  });

  describe("every fixture of every object-scope control, dry-run: the API server's verdict is the fixture's", () => {
    const cases = objectScope.flatMap((control) =>
      readFixtures(control.id).map((fixture) => ({ control, fixture, name: `${control.id} ${fixture.file}` })),
    );
    const unjudgeable = (f: Fixture) =>
      f.profile !== "production"
        ? `profile ${f.profile} (the webhook runs the production profile)`
        : Object.keys(f.params).length
          ? "a # params header (the webhook runs the production defaults)"
          : undefined;
    const deviations: Record<string, string> = {};

    it.each(cases.filter((c) => !unjudgeable(c.fixture)))("$name", async ({ control, fixture, name }) => {
      const c = cluster();
      const blocks = meetsThreshold(control.severity, "high");
      const expected = new Set(fixture.expect.filter((t) => t.kind !== "").map((t) => `${t.kind}/${t.namespace}/${t.name}`));
      const flagged = new Set<string>();
      for (const object of readDocs(fixture.path)) {
        const key = `${object.kind}/${object.metadata?.namespace ?? ""}/${object.metadata?.name}`;
        const reply = await c.apply(object, { dryRun: true });
        if (reply.status === 422 || (reply.status >= 400 && !deniedByUs(reply))) {
          deviations[name] = `${key}: ${reply.status} ${JSON.stringify(reply.body.message)}`;
          continue;
        }
        const inDenial = deniedByUs(reply) && String(reply.body.message).includes(`- ${control.id} (`);
        const inWarnings = reply.warnings.some((w) => w.startsWith(`${control.id} (`));
        if (inDenial || inWarnings) flagged.add(key);
        if (inDenial || inWarnings)
          expect(inDenial ? "denied" : "warned", `${key}: ${JSON.stringify(reply)}`).toBe(blocks ? "denied" : "warned");
      }
      const same = JSON.stringify([...flagged].sort()) === JSON.stringify([...expected].sort());
      if (NOT_AS_WRITTEN[name]) {
        expect(deviations[name] !== undefined || !same, `listed in NOT_AS_WRITTEN, but the cluster judges it as written`).toBe(true);
        return;
      }
      expect(deviations[name], `the API server rejected an object itself: ${deviations[name]}`).toBeUndefined();
      expect([...flagged].sort(), `flagged by ${control.id}`).toEqual([...expected].sort());
    });

    it.each(cases.filter((c) => unjudgeable(c.fixture)).map((c) => ({ ...c, why: unjudgeable(c.fixture) })))(
      "$name is not sent: $why",
      ({ fixture }) => {
        expect(unjudgeable(fixture)).toBeDefined();
      },
    );
  });

  // Last but one: it labels namespace erlmcp `pod-security.kubernetes.io/enforce: restricted`, and Pod Security
  // admission then rejects the privileged Pods above before the webhook sees them.
  it("admits the clean reference deployment (manifests/standalone and its canary variant), dry-run and stored", async () => {
    const c = cluster();
    for (const object of reference) {
      for (const dryRun of [true, false]) {
        const reply = await c.apply(object, { dryRun });
        expect([200, 201], `${object.kind}/${object.metadata?.name}: ${JSON.stringify(reply.body)}`).toContain(reply.status);
        expect(reply.warnings, `${object.kind}/${object.metadata?.name}`).toEqual([]);
      }
    }
  });

  it("with the webhook stopped, failurePolicy Fail denies in the matched namespaces and the excluded ones still admit", async () => {
    const c = cluster();
    webhook.child.kill("SIGKILL");
    await new Promise((resolve) => webhook.child.once("exit", resolve));
    const compliant = await c.create(compliantPod("while-down"), { dryRun: true });
    expect(compliant.status, JSON.stringify(compliant.body)).toBeGreaterThanOrEqual(500);
    expect(compliant.body.message).toContain(`failed calling webhook "${WEBHOOK_NAME}"`);
    const excluded = await c.create(privilegedPod("while-down", "kube-system"), { dryRun: true });
    expect(excluded.status, JSON.stringify(excluded.body)).toBe(201);
  });
});
