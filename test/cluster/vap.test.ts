/**
 * Native ValidatingAdmissionPolicy parity: every policy of policies/vap/ is loaded into a real API
 * server, and every fixture of every object-scope control is applied (dry-run): the objects the API server
 * reports for a control are exactly those the fixture expects (the Rego verdict, test/fixtures.test.ts).
 * The bindings ship with `[Warn, Audit]`, so each failing policy comes back as a warning.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { loadCatalog } from "../../src/catalog/load.js";
import { POLICIES_DIR } from "../../src/paths.js";
import type { K8sObject } from "../../src/types.js";
import { kyvernoSkipReason } from "../../scripts/generate-kyverno-tests.js";
import { VAP_UNSUPPORTED } from "../../scripts/generate-vap.js";
import { readFixtures } from "../fixture-files.js";
import { REJECTED_BY_API_SERVER } from "./fixtures-rejected.js";
import { clusterTestsEnabled, controllerManagerRuns, useTestCluster, waitFor } from "../helpers/cluster.js";

const VAP_DIR = join(POLICIES_DIR, "vap");
const readDocs = (text: string) =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => o && typeof o === "object" && o.kind);

const objectScope = loadCatalog().filter((c) => c.scope === "object");
const policies = readdirSync(VAP_DIR)
  .filter((f) => f !== "kustomization.yaml")
  .flatMap((f) => readDocs(readFileSync(join(VAP_DIR, f), "utf8")));
const policyOf = (controlId: string) => `erlmcp-audit-${controlId}`;
/** The warning the API server returns for a failing policy under a Warn binding. */
const failedPolicy = (warning: string) => /ValidatingAdmissionPolicy '([^']+)'/.exec(warning)?.[1];

const enabled = clusterTestsEnabled("test/cluster/vap.test.ts (ValidatingAdmissionPolicy parity)");

describe.runIf(enabled)("the ValidatingAdmissionPolicies of policies/vap in a real API server", () => {
  const cluster = useTestCluster();
  const cases = objectScope.flatMap((control) =>
    readFixtures(control.id).map((fixture) => ({
      control,
      fixture,
      name: `${control.id} ${fixture.file}`,
      skip: VAP_UNSUPPORTED[control.id] ?? kyvernoSkipReason(control, fixture),
    })),
  );

  beforeAll(async () => {
    const c = cluster();
    const objects = cases.flatMap((k) => readDocs(k.fixture.text));
    await c.prepareFor(objects, ["erlmcp"]);
    for (const doc of policies) {
      const reply = await c.apply(doc);
      expect(reply.status, `${doc.kind} ${doc.metadata?.name}: ${JSON.stringify(reply.body)}`).toBeLessThan(300);
    }
    // Policies take effect asynchronously; a privileged Pod fails pod-restricted-context once they do.
    const probe = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "probe", namespace: "erlmcp" },
      spec: { containers: [{ name: "probe", image: "busybox", securityContext: { privileged: true } }] },
    };
    let last: unknown;
    await waitFor(
      async () => {
        const reply = await c.apply(probe, { dryRun: true });
        last = reply;
        return reply.warnings.some((w) => failedPolicy(w) === policyOf("pod-restricted-context"));
      },
      () => `the ValidatingAdmissionPolicies in effect; last warnings: ${JSON.stringify((last as { warnings?: unknown })?.warnings)}`,
    );
  }, 180_000);

  it("type-checks every policy: the API server reports no expression warning", async (ctx) => {
    const c = cluster();
    if (!controllerManagerRuns(c, "the type checking of ValidatingAdmissionPolicies")) ctx.skip();
    for (const doc of policies.filter((d) => d.kind === "ValidatingAdmissionPolicy")) {
      let status: any;
      await waitFor(async () => {
        status = (await c.request("GET", await c.pathOf(doc))).body.status;
        return status?.observedGeneration === 1;
      }, `${doc.metadata?.name} type-checked`);
      expect(status.typeChecking?.expressionWarnings ?? [], String(doc.metadata?.name)).toEqual([]);
    }
  });

  it.each(cases.filter((k) => !k.skip))("$name", async ({ control, fixture, name }) => {
    const c = cluster();
    const expected = new Set(fixture.expect.map((t) => `${t.kind}/${t.namespace}/${t.name}`));
    const flagged = new Set<string>();
    const rejected: string[] = [];
    for (const object of readDocs(fixture.text)) {
      const key = `${object.kind}/${object.metadata?.namespace ?? ""}/${object.metadata?.name}`;
      const reply = await c.apply(object, { dryRun: true });
      if (![200, 201].includes(reply.status)) {
        rejected.push(`${key}: ${reply.status} ${reply.body.message}`);
        continue;
      }
      const mine = reply.warnings.filter((w) => failedPolicy(w) === policyOf(control.id));
      if (mine.length) {
        flagged.add(key);
        for (const w of mine) expect(w).toContain(`[${control.id}] `);
      }
    }
    if (REJECTED_BY_API_SERVER[name]) {
      expect(rejected.length, "listed in REJECTED_BY_API_SERVER, but the API server accepted every object").toBeGreaterThan(0);
      return;
    }
    expect(rejected, "the API server itself rejected an object").toEqual([]);
    expect([...flagged].sort(), `objects failing ${policyOf(control.id)}`).toEqual([...expected].sort());
  });

  it.each(cases.filter((k) => k.skip))("$name is not applied: $skip", ({ skip }) => {
    expect(skip).toBeTruthy();
  });
});
