/**
 * Issue 14 (every finding points at the field to change), on inputs written to mislead the path: list
 * entries that are not objects before the offending one, JSON null where a field is expected, and a
 * variable repeated in one container. Rego and TypeScript report the same fields, without errors.
 */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadControl } from "../../src/catalog/load.js";
import { resolveParams } from "../../src/config/profiles.js";
import { RegoEngine } from "../../src/engines/rego.js";
import { TypeScriptEngine } from "../../src/engines/typescript.js";
import { verdictOf } from "../../src/evaluation/unit.js";
import { formatPath } from "../../src/k8s/field-path.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { POLICIES_DIR } from "../../src/paths.js";
import type { AuditUnit } from "../../src/types.js";

const rego = new RegoEngine();
const typescript = new TypeScriptEngine();

beforeAll(async () => {
  await rego.prepare([]);
});

/** `messageId @ path` of each violation of `controlId` on the manifest, per engine (sorted, no duplicates). */
async function located(controlId: string, text: string): Promise<Record<"rego" | "typescript", string[]>> {
  const control = loadControl(join(POLICIES_DIR, controlId));
  const parsed = parseManifestStream(text, { file: "hostile.yaml" });
  expect(parsed.errors).toEqual([]);
  const unit: AuditUnit = { id: "hostile", kind: "files", path: "hostile.yaml", resources: parsed.resources, profile: "production" };
  const out = { rego: [] as string[], typescript: [] as string[] };
  for (const [name, engine] of [
    ["rego", rego],
    ["typescript", typescript],
  ] as const) {
    const verdict = await verdictOf(engine, unit, control, resolveParams(control, unit.profile));
    expect(verdict?.errors ?? [], `${name} errors`).toEqual([]);
    out[name] = [...new Set((verdict?.violations ?? []).map((v) => `${v.messageId} @ ${formatPath(v.path ?? [])}`))].sort();
  }
  return out;
}

describe("violation paths on hostile input", () => {
  it("a subject list with entries that are not objects keeps the index of the offending subject", async () => {
    const found = await located(
      "iam-no-privileged-bindings",
      `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
  - not a subject
  - null
  - {kind: Group, name: system:masters}
`,
    );
    expect(found.typescript).toEqual(["superuserSubject @ subjects[2]"]);
    expect(found.rego).toEqual(found.typescript);
  });

  it("a variable repeated in one container is reported at each entry, with no evaluation error", async () => {
    const found = await located(
      "sec-no-literal-credentials",
      `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: erlmcp}
spec:
  containers:
    - name: app
      image: example/app:1.0
      env:
        - {name: ERL_FLAGS, value: "-setcookie one"}
        - {name: ERL_FLAGS, value: "-setcookie two"}
`,
    );
    expect(found.typescript).toEqual([
      "setcookieLiteral @ spec.containers[0].env[0].value",
      "setcookieLiteral @ spec.containers[0].env[1].value",
    ]);
    expect(found.rego).toEqual(found.typescript);
  });

  it("JSON null where a list or value is expected is a missing field: the path stops at its parent", async () => {
    const egress = await located(
      "net-egress-allowlist",
      `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: erlmcp}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: null
      ports: null
`,
    );
    expect(egress.typescript).toEqual(["egressWithoutPorts @ spec.egress[0]", "egressWithoutTo @ spec.egress[0]"]);
    expect(egress.rego).toEqual(egress.typescript);
    const secret = await located(
      "sec-no-plaintext-secrets",
      `apiVersion: v1
kind: Secret
metadata: {name: s, namespace: erlmcp}
stringData: null
data:
  unset: null
  cookie: cGxhaW4=
`,
    );
    expect(secret.typescript).toEqual(["plaintextSecret @ data.cookie"]);
    expect(secret.rego).toEqual(secret.typescript);
  });
});
