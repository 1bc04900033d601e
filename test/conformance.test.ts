/**
 * Keeps every control a complete unit (ESLint's rule/test/doc parity, gatekeeper-library's layout):
 * control.yaml, Rego + tests, validator, fixtures and docs exist for each ID and nothing is orphaned.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { controlIds, loadControl, placeholdersOf } from "../src/catalog/load.js";
import { readBundleManifest } from "../src/engines/rego.js";
import { PACKAGE_ROOT, POLICIES_DIR } from "../src/paths.js";
import { VALIDATORS } from "../src/validators/index.js";
import { REQUIRED_CONTROLS } from "./required-controls.js";

const ids = controlIds();
const ENGINE_LETTER = { rego: "R", kyverno: "K", typescript: "T" } as const;
const LETTER_ENGINE = { R: "rego", K: "kyverno", T: "typescript" } as const;
// Kyverno ValidatingPolicies arrive with the admission-engines work; until a control has its
// kyverno.yaml, its `K` is not yet required.
const requiredEngines = (id: string, letters: string) =>
  [...letters]
    .filter((l) => l !== "K" || existsSync(join(POLICIES_DIR, id, "kyverno.yaml")))
    .map((l) => LETTER_ENGINE[l as keyof typeof LETTER_ENGINE])
    .sort();

describe("catalog", () => {
  it("implements every required control of CONTROLS.md with its scope", () => {
    const missing = REQUIRED_CONTROLS.filter(([id]) => !ids.includes(id)).map(([id]) => id);
    expect(missing).toEqual([]);
  });

  it.each(REQUIRED_CONTROLS)("%s has the required scope and engines", (id, scope, letters) => {
    const control = loadControl(join(POLICIES_DIR, id));
    expect(control.scope).toBe(scope);
    expect([...control.engines].sort()).toEqual(requiredEngines(id, letters));
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
