/** Evaluates the controls' Rego, compiled to WebAssembly (policies/dist/policy.wasm), with opa-wasm. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import type { Control } from "../catalog/types.js";
import { POLICIES_DIR } from "../paths.js";
import type { AuditUnit, ResourceRef, Violation } from "../types.js";
import { controlMatchesKind, type ControlVerdict, type Engine, type EngineContext } from "./types.js";

export interface BundleManifest {
  opaVersion: string;
  wasmSha256: string;
  entrypoints: Record<string, string>;
  sources: Record<string, string>;
}

interface RegoViolation {
  msg?: string;
  details?: { messageId?: string; data?: Record<string, string | number | boolean>; resource?: ResourceRef };
}

export function readBundleManifest(dir = process.env.ERLMCP_AUDIT_POLICY_DIST || join(POLICIES_DIR, "dist")): BundleManifest {
  return JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as BundleManifest;
}

function toViolations(result: unknown, fallback: ResourceRef | undefined, controlId: string): Violation[] {
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
    const verdicts: ControlVerdict[] = [];
    let objects: unknown[] | undefined;
    for (const control of controls) {
      if (!this.implements(control)) continue;
      const entrypoint = manifest.entrypoints[control.id] as string;
      const parameters = context.paramsFor(control, unit);
      const verdict: ControlVerdict = { controlId: control.id, violations: [], errors: [] };
      if (control.scope === "set") {
        objects ??= unit.resources.map((r) => r.object);
        try {
          verdict.violations.push(...toViolations(policy.evaluate({ resources: objects, parameters }, entrypoint), undefined, control.id));
        } catch (error) {
          verdict.errors.push({ message: String(error instanceof Error ? error.message : error) });
        }
      } else {
        for (const resource of unit.resources) {
          if (!controlMatchesKind(control, resource.ref.kind)) continue;
          try {
            const result = policy.evaluate({ review: { object: resource.object }, parameters }, entrypoint);
            verdict.violations.push(...toViolations(result, resource.ref, control.id));
          } catch (error) {
            verdict.errors.push({ message: String(error instanceof Error ? error.message : error), resource: resource.ref });
          }
        }
      }
      verdicts.push(verdict);
    }
    return verdicts;
  }
}
