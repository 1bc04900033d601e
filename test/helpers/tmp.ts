import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";

/** A temporary folder laid out from a map of relative path → content, removed after the file's tests. */
export function tempTree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), "erlmcp-audit-test-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

export const CONFIGMAP = (name: string, namespace = "erlmcp") => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
    app.kubernetes.io/name: erlmcp
    app.kubernetes.io/instance: erlmcp
    app.kubernetes.io/version: 3.0.2
    app.kubernetes.io/part-of: erlmcp
    app.kubernetes.io/managed-by: kustomize
data:
  LOG_LEVEL: info
`;

/** A Pod in `namespace` whose one container sets `privileged` (the danger most hostile tests plant). */
export const PRIVILEGED_POD = (name: string, privileged = "true", namespace = "erlmcp") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  containers:
    - name: app
      image: busybox
      securityContext:
        privileged: ${privileged}
`;

/** An image pinned by digest, so that no supply-chain finding adds to what a test looks at. */
export const PINNED_IMAGE = `nginx@sha256:${"a".repeat(64)}`;

/**
 * A Deployment `name` in `namespace` (labels and selector `app: <name>`) whose pod spec holds the flow-style
 * YAML lines of `podSpec`, one per line (default: one container `web` of PINNED_IMAGE).
 */
export function deploymentYaml(
  name: string,
  namespace: string,
  podSpec: readonly string[] = [`containers: [{name: web, image: "${PINNED_IMAGE}"}]`],
): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${podSpec.map((line) => `      ${line}\n`).join("")}`;
}

/** A plain Deployment with nothing dangerous in it: what must still be audited beside a planted danger. */
export const SURVIVOR_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: survivor
  namespace: erlmcp
spec:
  selector:
    matchLabels: {app: survivor}
  template:
    metadata:
      labels: {app: survivor}
    spec:
      containers:
        - name: app
          image: example/app:1.0
`;

/** The `edge` LoadBalancer Service of these tests (`type` other than LoadBalancer to make it harmless). */
export const EDGE_SERVICE = (type = "LoadBalancer") => `apiVersion: v1
kind: Service
metadata:
  name: edge
  namespace: erlmcp
  labels: {app.kubernetes.io/name: erlmcp, app.kubernetes.io/instance: erlmcp, app.kubernetes.io/version: "3", app.kubernetes.io/part-of: erlmcp, app.kubernetes.io/managed-by: helm}
spec:
  type: ${type}
  selector: {app: x}
  ports: [{port: 80, name: http}]
`;

/** A Role granting `get` on every resource of every group. */
export const WILDCARD_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: too-wide, namespace: erlmcp}
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["get"]
`;

/** A waiver file whose one waiver covers the `edge` LoadBalancer of {@link EDGE_SERVICE}. */
export const EDGE_WAIVER = (expires: string, approved = "2026-01-01") => `apiVersion: erlmcp-audit/v1
kind: WaiverList
waivers:
  - id: W1
    control: net-external-exposure
    messageId: loadBalancerService
    match: {kind: Service, namespace: erlmcp, name: edge}
    justification: the public edge of the service
    owner: team
    approver: ciso
    ticket: SEC-1
    approved: "${approved}"
    expires: "${expires}"
`;

const laughs = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
/** "Billion laughs": nine aliases of nine aliases … expanding to 9^9 strings if a parser follows them. */
export const ALIAS_BOMB = laughs
  .map((k, i) =>
    i === 0
      ? `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`
      : `${k}: &${k} [${Array(9)
          .fill(`*${laughs[i - 1]}`)
          .join(",")}]`,
  )
  .join("\n");
