/** Evaluates the controls' Rego, compiled to WebAssembly (policies/dist/policy.wasm), with opa-wasm. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import type { Control } from "../catalog/types.js";
import { POLICIES_DIR } from "../paths.js";
import type { AuditUnit, ResourceRef, Violation } from "../types.js";
import { setInputs } from "./partition.js";
import { controlMatchesKind, type ControlVerdict, type Engine, type EngineContext } from "./types.js";

export interface BundleManifest {
  opaVersion: string;
  wasmSha256: string;
  entrypoints: Record<string, string>;
  /** Entrypoint that evaluates several object-scope controls of one object at once (scripts/lib/rego-aggregate.ts). */
  aggregateEntrypoint?: string;
  sources: Record<string, string>;
}

interface RegoViolation {
  msg?: string;
  details?: { messageId?: string; data?: Record<string, string | number | boolean>; resource?: ResourceRef };
}

export function readBundleManifest(dir = process.env.ERLMCP_AUDIT_POLICY_DIST || join(POLICIES_DIR, "dist")): BundleManifest {
  return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as BundleManifest;
}

export function toViolations(result: unknown, fallback: ResourceRef | undefined, controlId: string): Violation[] {
  const set = (Array.isArray(result) ? (result[0] as { result?: unknown })?.result : undefined) ?? [];
  if (!Array.isArray(set)) throw new Error(`${controlId}: violation is not a set`);
  return (set as RegoViolation[]).map((v) => {
    const resource = v.details?.resource ?? fallback;
    if (!v.details?.messageId || !resource)
      throw new Error(`${controlId}: violation without details.messageId/resource: ${JSON.stringify(v)}`);
    return { messageId: v.details.messageId, data: v.details.data ?? {}, resource };
  });
}

export class RegoEngine implements Engine {
  readonly name = "rego" as const;
  private policy: LoadedPolicy | undefined;
  private manifest: BundleManifest | undefined;

  constructor(private readonly distDir = process.env.ERLMCP_AUDIT_POLICY_DIST || join(POLICIES_DIR, "dist")) {}

  implements(control: Control): boolean {
    return control.engines.includes("rego");
  }

  async prepare(controls: readonly Control[]): Promise<void> {
    if (this.policy) return;
    const manifest = readBundleManifest(this.distDir);
    const missing = controls.filter((c) => this.implements(c) && !manifest.entrypoints[c.id]).map((c) => c.id);
    if (missing.length) {
      throw new Error(`The policy bundle ${this.distDir}/policy.wasm lacks ${missing.join(", ")}. Run \`npm run build:policies\`.`);
    }
    this.manifest = manifest;
    this.policy = await loadPolicy(readFileSync(join(this.distDir, "policy.wasm")), { initial: 64 });
  }

  bundleManifest(): BundleManifest | undefined {
    return this.manifest;
  }

  async evaluate(unit: AuditUnit, controls: readonly Control[], context: EngineContext): Promise<ControlVerdict[]> {
    const policy = this.policy;
    const manifest = this.manifest;
    if (!policy || !manifest) throw new Error("RegoEngine.evaluate called before prepare()");
    const mine = controls.filter((c) => this.implements(c));
    const verdicts = new Map(mine.map((c) => [c.id, { controlId: c.id, violations: [], errors: [] } as ControlVerdict]));
    const params = new Map(mine.map((c) => [c.id, context.paramsFor(c, unit)]));
    const message = (error: unknown) => String(error instanceof Error ? error.message : error);

    for (const control of mine.filter((c) => c.scope === "set")) {
      const verdict = verdicts.get(control.id) as ControlVerdict;
      const entrypoint = manifest.entrypoints[control.id] as string;
      for (const input of setInputs(control, unit.resources)) {
        try {
          const result = policy.evaluate({ resources: input.map((r) => r.object), parameters: params.get(control.id) }, entrypoint);
          verdict.violations.push(...toViolations(result, undefined, control.id));
        } catch (error) {
          verdict.errors.push({ message: message(error) });
        }
      }
    }

    const objectControls = mine.filter((c) => c.scope !== "set");
    const byKind = new Map<string, Control[]>();
    for (const resource of unit.resources) {
      const kind = resource.ref.kind;
      let matching = byKind.get(kind);
      if (!matching) byKind.set(kind, (matching = objectControls.filter((c) => controlMatchesKind(c, kind))));
      if (!matching.length) continue;
      const review = { object: resource.object };
      const one = (control: Control) => {
        const verdict = verdicts.get(control.id) as ControlVerdict;
        try {
          const result = policy.evaluate({ review, parameters: params.get(control.id) }, manifest.entrypoints[control.id] as string);
          verdict.violations.push(...toViolations(result, resource.ref, control.id));
        } catch (error) {
          verdict.errors.push({ message: message(error), resource: resource.ref });
        }
      };
      if (!manifest.aggregateEntrypoint || matching.length === 1) {
        matching.forEach(one);
        continue;
      }
      let results: Record<string, unknown>;
      try {
        const input = { review, controls: Object.fromEntries(matching.map((c) => [c.id, params.get(c.id)])) };
        const out = policy.evaluate(input, manifest.aggregateEntrypoint) as Array<{ result?: Record<string, unknown> }>;
        results = out[0]?.result ?? {};
      } catch {
        // Evaluate one control at a time so that the error names the control that failed.
        matching.forEach(one);
        continue;
      }
      for (const control of matching) {
        try {
          const set = results[control.id] ?? [];
          (verdicts.get(control.id) as ControlVerdict).violations.push(...toViolations([{ result: set }], resource.ref, control.id));
        } catch (error) {
          (verdicts.get(control.id) as ControlVerdict).errors.push({ message: message(error), resource: resource.ref });
        }
      }
    }
    return [...verdicts.values()];
  }
}
