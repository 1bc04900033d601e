/**
 * Generates the Kyverno side of the policies from the catalog and the fixtures:
 * - policies/kyverno/tests/<id>/kyverno-test.yaml: one `kyverno test` Test per fixture (a fixture is
 *   one manifest set, and names repeat across fixtures), expecting `fail` for the resources of its
 *   `# expect:` lines and `pass` for every other resource the policy matches;
 * - policies/kyverno/validating-policies.yaml + kustomization.yaml: every ValidatingPolicy, installed
 *   with `kubectl apply -k policies/kyverno`.
 * `--check` fails when a committed file differs or is orphaned.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { parseAllDocuments, stringify } from "yaml";
import { loadCatalog } from "../src/catalog/load.js";
import { kyvernoUnsupportedClauses } from "../src/catalog/kyverno-unsupported.js";
import { kindsMatchedOnlyByPodTemplate } from "../src/catalog/match.js";
import type { Control } from "../src/catalog/types.js";
import { isClusterScoped } from "../src/k8s/cluster-scoped.js";
import { parseManifestStream } from "../src/loaders/yaml.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../src/paths.js";
import { readFixtures, type Fixture } from "../test/fixture-files.js";

export const KYVERNO_DIR = join(POLICIES_DIR, "kyverno");
const TESTS_DIR = join(KYVERNO_DIR, "tests");

/** Why a fixture cannot run against the policy as installed (production parameters), or undefined. */
export function kyvernoSkipReason(control: Control, fixture: Fixture): string | undefined {
  if (fixture.profile !== "production") return `profile ${fixture.profile}: the policy carries production parameters`;
  const defaults = control.params?.defaults ?? {};
  const changed = Object.keys(fixture.params).filter((k) => JSON.stringify(fixture.params[k]) !== JSON.stringify(defaults[k]));
  if (changed.length) return `params ${changed.join(", ")} differ from the production defaults the policy carries`;
  const unsupported = kyvernoUnsupportedClauses(control).filter((u) => fixture.expect.some((e) => e.messageId === u.messageId));
  if (unsupported.length) return unsupported.map((u) => `Kyverno cannot evaluate ${u.messageId}: ${u.reason}`).join("; ");
  const objects = parseManifestStream(fixture.text, { file: relative(PACKAGE_ROOT, fixture.path) }).resources.map((r) => r.object);
  const unlisted = kindsMatchedOnlyByPodTemplate(control, objects);
  if (unlisted.length)
    return `${unlisted.join(", ")} carries a pod template but is not in the policy's matchConstraints (kinds of control.yaml)`;
  return undefined;
}

/**
 * `kyverno test` reads the fixture file as written, nulls included; Kyverno in a cluster gets the object
 * as the API server decoded it (no null keys), which the parity test reproduces with the loader's objects.
 */
function cliNullReason(fixture: Fixture): string | undefined {
  const withNull = parseAllDocuments(fixture.text, { version: "1.1" }).some((d) => d.contents !== null && holdsNull(d.toJS()));
  return withNull
    ? "holds JSON null, which the API server drops before Kyverno sees the object (covered by the parity test on the loader's objects)"
    : undefined;
}

function holdsNull(value: unknown): boolean {
  if (value === null) return true;
  return typeof value === "object" && Object.values(value as object).some(holdsNull);
}

function testDocument(control: Control, fixture: Fixture, dir: string): Record<string, unknown> {
  const parsed = parseManifestStream(fixture.text, { file: relative(PACKAGE_ROOT, fixture.path) });
  const failing = new Set(fixture.expect.map((e) => `${e.kind}/${e.namespace}/${e.name}`));
  const results = parsed.resources
    .filter((r) => control.kinds.includes(r.ref.kind))
    .map((r) => ({
      policy: control.id,
      kind: r.ref.kind,
      // The CLI defaults a missing namespace to `default`, as the API server does.
      resources: [isClusterScoped(r.object) ? r.ref.name : `${r.ref.namespace || "default"}/${r.ref.name}`],
      result: failing.has(`${r.ref.kind}/${r.ref.namespace}/${r.ref.name}`) ? "fail" : "pass",
    }));
  return {
    apiVersion: "cli.kyverno.io/v1alpha1",
    kind: "Test",
    metadata: { name: `${control.id}.${fixture.file.replace(/\.ya?ml$/, "")}` },
    policies: [relative(dir, join(control.dir, "kyverno.yaml"))],
    resources: [relative(dir, fixture.path)],
    results,
  };
}

async function formatted(file: string, text: string): Promise<string> {
  return format(text, { ...(await resolveConfig(file)), filepath: file });
}

export async function generate(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const controls = loadCatalog().filter((c) => c.engines.includes("kyverno"));
  for (const control of controls) {
    const dir = join(TESTS_DIR, control.id);
    const fixtures = readFixtures(control.id);
    const skipped = fixtures.flatMap((f) => {
      const reason = kyvernoSkipReason(control, f) ?? cliNullReason(f);
      return reason ? [`#   ${f.file}: ${reason}`] : [];
    });
    const header = [
      `# Generated by scripts/generate-kyverno-tests.ts from fixtures/${control.id}/; do not edit.`,
      ...(skipped.length ? ["# Skipped fixtures:", ...skipped] : []),
    ];
    const docs = fixtures
      .filter((f) => !kyvernoSkipReason(control, f) && !cliNullReason(f))
      .map((f) => stringify(testDocument(control, f, dir)));
    const file = join(dir, "kyverno-test.yaml");
    files.set(file, await formatted(file, `${header.join("\n")}\n${docs.join("---\n")}`));
  }
  // kustomize loads no file outside the kustomization's folder, so the policies are bundled into it.
  const bundle = join(KYVERNO_DIR, "validating-policies.yaml");
  const policies = controls.map((c) => `# Source: policies/${c.id}/kyverno.yaml\n${readFileSync(join(c.dir, "kyverno.yaml"), "utf8")}`);
  files.set(bundle, await formatted(bundle, `# Generated by scripts/generate-kyverno-tests.ts; do not edit.\n${policies.join("---\n")}`));
  const kustomization = join(KYVERNO_DIR, "kustomization.yaml");
  const body = { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources: ["validating-policies.yaml"] };
  files.set(
    kustomization,
    await formatted(kustomization, `# Generated by scripts/generate-kyverno-tests.ts; do not edit.\n${stringify(body)}`),
  );
  return files;
}

function committed(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  walk(KYVERNO_DIR);
  return out;
}

async function main(): Promise<void> {
  const check = process.argv.includes("--check");
  const files = await generate();
  const stale = [...files].filter(([f, text]) => !existsSync(f) || readFileSync(f, "utf8") !== text).map(([f]) => f);
  const orphaned = committed().filter((f) => !files.has(f));
  if (check) {
    const problems = [
      ...stale.map((f) => `stale: ${relative(PACKAGE_ROOT, f)}`),
      ...orphaned.map((f) => `orphaned: ${relative(PACKAGE_ROOT, f)}`),
    ];
    if (problems.length) {
      console.error(`${problems.join("\n")}\nRun \`npx tsx scripts/generate-kyverno-tests.ts\`.`);
      process.exit(1);
    }
    return;
  }
  for (const f of orphaned) rmSync(f);
  for (const f of stale) {
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, files.get(f)!);
  }
  console.log(`kyverno: ${files.size} files, ${stale.length} written, ${orphaned.length} removed`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
