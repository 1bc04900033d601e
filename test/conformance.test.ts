/**
 * Keeps every control a complete unit (ESLint's rule/test/doc parity, gatekeeper-library's layout):
 * control.yaml, Rego + tests, validator, fixtures and docs exist for each ID and nothing is orphaned.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CatalogError, controlIds, loadCatalog, loadControl, placeholdersOf } from "../src/catalog/load.js";
import { conditionHolds } from "../src/catalog/condition.js";
import { expandKinds, KINDS, parseKindCatalog } from "../src/catalog/kinds.js";
import { allKyvernoUnsupportedClauses } from "../src/catalog/kyverno-unsupported.js";
import { readBundleManifest } from "../src/engines/rego-wasm.js";
import type { Control } from "../src/catalog/types.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../src/paths.js";
import { VALIDATORS } from "../src/validators/index.js";
import { readFixtures } from "./fixture-files.js";
import { tempTree } from "./helpers/tmp.js";

const ids = controlIds();
const catalog = loadCatalog();
const ENGINE_LETTER = { rego: "R", kyverno: "K", typescript: "T" } as const;

/** The required catalog (design notes' CONTROLS.md; in CI a copy of shared/ sits beside the clone). */
const CONTROLS_MD = join(PACKAGE_ROOT, "..", "shared", "CONTROLS.md");
const CONTROL_ROW = /^\| ([a-z]+(?:-[a-z0-9]+)+) \| (object|set) \| ([RKT ]+) \|/;

/** `id scope letters` of every control row of CONTROLS.md, e.g. `net-default-deny set RT`. */
function requiredCatalogRows(text: string): string[] {
  return text.split("\n").flatMap((line) => {
    const m = CONTROL_ROW.exec(line);
    return m ? [`${m[1]} ${m[2]} ${(m[3] as string).replaceAll(" ", "")}`] : [];
  });
}

const catalogRow = (c: Control) =>
  `${c.id} ${c.scope} ${c.engines
    .map((e) => ENGINE_LETTER[e as keyof typeof ENGINE_LETTER])
    .sort((a, b) => "RKT".indexOf(a) - "RKT".indexOf(b))
    .join("")}`;

describe("catalog", () => {
  it.skipIf(!existsSync(CONTROLS_MD))("marks as required exactly the controls of CONTROLS.md, with their scope and engines", () => {
    const rows = requiredCatalogRows(readFileSync(CONTROLS_MD, "utf8"));
    expect(rows.length).toBeGreaterThan(30);
    expect(
      catalog
        .filter((c) => c.required)
        .map(catalogRow)
        .sort(),
    ).toEqual(rows.sort());
  });

  it("implements every required control in Rego, and object-scope ones in Kyverno too (CONTROLS.md's columns)", () => {
    const required = catalog.filter((c) => c.required);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((c) => !c.engines.includes("rego")).map((c) => c.id)).toEqual([]);
    expect(required.filter((c) => c.scope === "object" && !c.engines.includes("kyverno")).map((c) => c.id)).toEqual([]);
  });

  it("has no fixture folder, validator or doc page without a control", () => {
    const fixtureDirs = readdirSync(join(PACKAGE_ROOT, "fixtures"));
    const validatorFiles = readdirSync(join(PACKAGE_ROOT, "src/validators"))
      .filter((f) => f.endsWith(".ts") && f !== "index.ts" && f !== "types.ts")
      .map((f) => f.replace(/\.ts$/, ""));
    const docPages = existsSync(join(PACKAGE_ROOT, "docs/controls"))
      ? readdirSync(join(PACKAGE_ROOT, "docs/controls"))
          .filter((f) => f !== "README.md")
          .map((f) => f.replace(/\.md$/, ""))
      : [];
    expect(fixtureDirs.filter((d) => !ids.includes(d))).toEqual([]);
    expect(validatorFiles.filter((v) => !ids.includes(v))).toEqual([]);
    expect(Object.keys(VALIDATORS).filter((v) => !ids.includes(v))).toEqual([]);
    expect(docPages.filter((d) => !ids.includes(d))).toEqual([]);
  });

  it("has every Rego control in the committed wasm bundle", () => {
    const bundle = readBundleManifest();
    const rego = ids.filter((id) => loadControl(join(POLICIES_DIR, id)).engines.includes("rego"));
    expect(Object.keys(bundle.entrypoints).sort()).toEqual(rego);
  });
});

describe("catalog data", () => {
  it("knows the API groups of every kind a control names (policies/_kinds.yaml)", () => {
    const unknown = catalog.flatMap((c) => c.kinds.filter((k) => !KINDS.groups.has(k)).map((k) => `${c.id}: ${k}`));
    expect(unknown).toEqual([]);
    expect(ids.filter((id) => id.startsWith("_"))).toEqual([]);
  });

  it("expands a kind alias in place, once, and rejects an unknown alias", () => {
    const workloads = [
      "Pod",
      "Deployment",
      "StatefulSet",
      "DaemonSet",
      "ReplicaSet",
      "Job",
      "CronJob",
      "Rollout",
      "ReplicationController",
      "PodTemplate",
    ];
    expect(expandKinds(["Service", "workloads", "Pod"])).toEqual(["Service", ...workloads]);
    expect(() => expandKinds(["workload"])).toThrow(CatalogError);
    expect(() => expandKinds(["workload"])).toThrow(/unknown kind alias 'workload'/);
  });

  it("fails to load a control that names an unknown alias, naming its file", () => {
    const spec = readFileSync(join(POLICIES_DIR, "pod-readonly-rootfs", "control.yaml"), "utf8").replace(/^kinds: .*$/m, "kinds: [podz]");
    const root = tempTree({ "pod-readonly-rootfs/control.yaml": spec });
    expect(() => loadControl(join(root, "pod-readonly-rootfs"))).toThrow(/control.yaml: unknown kind alias 'podz'/);
  });

  it("rejects an alias of kinds that policies/_kinds.yaml does not declare", () => {
    const text = "kinds: { Pod: { groups: [''] } }\naliases: { workloads: [Pod, Deployment] }\n";
    expect(() => parseKindCatalog(text, "k.yaml")).toThrow("k.yaml: aliases.workloads: Deployment not in `kinds`");
  });

  it("lists a Kyverno-unsupported clause only for a message of the control that a fixture expects", () => {
    const clauses = allKyvernoUnsupportedClauses(catalog);
    expect(clauses.length).toBeGreaterThan(0);
    for (const clause of clauses) {
      const control = catalog.find((c) => c.id === clause.controlId) as Control;
      expect(control.engines).toContain("kyverno");
      expect(Object.keys(control.messages)).toContain(clause.messageId);
      expect(readFixtures(control.id).some((f) => f.expect.some((e) => e.messageId === clause.messageId))).toBe(true);
    }
  });

  it("applies a `when: {missing: path}` clause where the field is absent, null or empty", () => {
    const [clause] = allKyvernoUnsupportedClauses(catalog.filter((c) => c.id === "pod-namespace-placement"));
    expect(clause).toMatchObject({ controlId: "pod-namespace-placement", messageId: "namespaceMissing" });
    const pod = (metadata: Record<string, unknown>) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "a", ...metadata } });
    expect([pod({}), pod({ namespace: "" }), pod({ namespace: null }), pod({ namespace: "app" })].map((o) => clause!.appliesTo(o))).toEqual(
      [true, true, true, false],
    );
    expect(conditionHolds({ missing: "spec.template" }, { spec: ["template"] })).toBe(true);
    expect(conditionHolds({ missing: "spec.replicas" }, { spec: { replicas: 0 } })).toBe(false);
  });
});

describe("Rego tests", () => {
  it("compare nothing inside a `with` (`x with input as i == y` is `x with input as (i == y)`: true whenever x is defined)", () => {
    const testFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() && e.name !== "dist" ? testFiles(join(dir, e.name)) : e.name.endsWith("_test.rego") ? [join(dir, e.name)] : [],
      );
    const files = testFiles(POLICIES_DIR);
    expect(files.length).toBeGreaterThan(ids.length);
    const swallowed = files.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) =>
          /\bwith\s+\S+\s+as\s+.*?[=!]=/.test(line.replace(/"(?:[^"\\]|\\.)*"|`[^`]*`/g, '""')) ? [`${file}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(swallowed).toEqual([]);
  });
});

describe.each(ids)("%s", (id) => {
  const dir = join(POLICIES_DIR, id);
  const control = loadControl(dir);
  const pkg = `erlmcp.controls.${id.replaceAll("-", "_")}`;

  it("has policy.rego in package erlmcp.controls.<id> and tests beside it", () => {
    expect(readFileSync(join(dir, "policy.rego"), "utf8")).toMatch(new RegExp(`^package ${pkg.replaceAll(".", "\\.")}$`, "m"));
    expect(readFileSync(join(dir, "policy_test.rego"), "utf8")).toMatch(new RegExp(`^package ${pkg.replaceAll(".", "\\.")}_test$`, "m"));
  });

  it("has a TypeScript validator exactly when it declares the typescript engine", () => {
    const hasFile = existsSync(join(PACKAGE_ROOT, "src/validators", `${id}.ts`));
    const declared = control.engines.includes("typescript");
    expect(hasFile).toBe(declared);
    expect(VALIDATORS[id] !== undefined).toBe(declared);
    if (declared) {
      expect(VALIDATORS[id]!.id).toBe(id);
      expect(VALIDATORS[id]!.scope).toBe(control.scope);
    }
  });

  it("has a Kyverno policy exactly when it declares the kyverno engine", () => {
    expect(existsSync(join(dir, "kyverno.yaml"))).toBe(control.engines.includes("kyverno"));
  });

  it("has fixtures and a generated doc page", () => {
    expect(existsSync(join(PACKAGE_ROOT, "fixtures", id))).toBe(true);
    expect(existsSync(join(PACKAGE_ROOT, "docs/controls", `${id}.md`))).toBe(true);
  });

  it("produces every messageId it declares in policy.rego", () => {
    const rego = readFileSync(join(dir, "policy.rego"), "utf8");
    for (const [messageId, template] of Object.entries(control.messages)) {
      expect(rego, `${messageId} is never produced by policy.rego`).toContain(`"${messageId}"`);
      expect(placeholdersOf(template).every((p) => /^[A-Za-z0-9_]+$/.test(p))).toBe(true);
    }
    expect(Object.keys(ENGINE_LETTER)).toEqual(expect.arrayContaining(control.engines));
  });
});
