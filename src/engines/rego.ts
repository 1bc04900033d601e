/** Evaluates the controls' Rego, compiled to WebAssembly (policies/dist/policy.wasm), in this process. */
import type { Control } from "../catalog/types.js";
import type { AuditUnit, K8sObject, ResourceRef } from "../types.js";
import { setInputs } from "./partition.js";
import { RegoBundle, defaultBundleDir, readBundleManifest, type BundleManifest } from "./rego-wasm.js";
import {
  errorMessage,
  type ControlVerdict,
  type EngineContext,
  type EngineDescription,
  type ObjectCheck,
  type ObjectEngine,
} from "./types.js";

const encoder = new TextEncoder();

export class RegoEngine implements ObjectEngine {
  readonly name = "rego" as const;
  readonly detail = "violations" as const;
  private bundle: RegoBundle | undefined;
  private manifest: BundleManifest | undefined;
  /** Parameters as JSON bytes, per parameters object (the same object for every resource of a unit). */
  private readonly paramsJson = new WeakMap<object, Uint8Array>();

  constructor(private readonly distDir = defaultBundleDir()) {}

  implements(control: Control): boolean {
    return control.engines.includes("rego");
  }

  async prepare(controls: readonly Control[]): Promise<void> {
    this.bundle ??= await RegoBundle.load(
      controls.filter((c) => this.implements(c)).map((c) => c.id),
      this.distDir,
    );
  }

  /** Read without loading the bundle: a run whose every unit comes from the cache describes the engine and never loads it. */
  describe(): EngineDescription {
    const manifest = this.bundle?.manifest ?? (this.manifest ??= readBundleManifest(this.distDir));
    return { name: this.name, version: manifest.opaVersion, policyBundleSha256: manifest.wasmSha256 };
  }

  async evaluate(unit: AuditUnit, controls: readonly Control[], context: EngineContext): Promise<ControlVerdict[]> {
    const bundle = this.loaded();
    return controls
      .filter((c) => this.implements(c) && c.scope === "set")
      .map((control) => {
        const verdict: ControlVerdict = { controlId: control.id, violations: [], errors: [] };
        const parameters = context.paramsFor(control, unit);
        for (const input of setInputs(control, unit.resources)) {
          try {
            verdict.violations.push(
              ...bundle.evaluateSet(control.id, { resources: input.map((r) => r.object), parameters }, unit.resources),
            );
          } catch (error) {
            verdict.errors.push({ message: errorMessage(error) });
          }
        }
        return verdict;
      });
  }

  evaluateObject(object: K8sObject, ref: ResourceRef, checks: readonly ObjectCheck[]): ControlVerdict[] {
    const mine = checks.filter((c) => this.implements(c.control));
    if (!mine.length) return [];
    const results = this.loaded().evaluateObject(
      object,
      ref,
      mine.map((c) => ({ controlId: c.control.id, paramsJson: this.json(c.params) })),
    );
    return mine.map((check, i) => {
      const result = results[i]!;
      return result instanceof Error
        ? { controlId: check.control.id, violations: [], errors: [{ message: result.message, resource: ref }] }
        : { controlId: check.control.id, violations: result, errors: [] };
    });
  }

  private json(params: object): Uint8Array {
    let bytes = this.paramsJson.get(params);
    if (!bytes) this.paramsJson.set(params, (bytes = encoder.encode(JSON.stringify(params))));
    return bytes;
  }

  private loaded(): RegoBundle {
    if (!this.bundle) throw new Error("RegoEngine used before prepare()");
    return this.bundle;
  }
}
