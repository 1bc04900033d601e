/** Evaluates the controls' Rego, compiled to WebAssembly (policies/dist/policy.wasm), in this process. */
import type { Control } from "../catalog/types.js";
import type { AuditUnit, K8sObject, ResourceRef } from "../types.js";
import { holdsNoNullKey } from "../k8s/strip-nulls.js";
import { setInputs } from "./partition.js";
import { RegoBundle, defaultBundleDir, jsonOf, readBundleManifest, type BundleManifest } from "./rego-wasm.js";
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

  /** The folder of the policy bundle this engine evaluates. */
  get bundleDir(): string {
    return this.distDir;
  }

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
    const planned = controls
      .filter((c) => this.implements(c) && c.scope === "set")
      .map((control) => ({
        id: control.id,
        parameters: context.paramsFor(control, unit),
        inputs: setInputs(control, unit.resources).map((input) => input.map((r) => r.object)),
      }));
    return setControlVerdicts(bundle, planned, jsonOf, unit.resources);
  }

  evaluateObject(object: K8sObject, ref: ResourceRef, checks: readonly ObjectCheck[]): ControlVerdict[] {
    const mine = checks.filter((c) => this.implements(c.control));
    if (!mine.length) return [];
    return objectControlVerdicts(
      this.loaded(),
      jsonOf(object),
      holdsNoNullKey(object),
      ref,
      mine.map((c) => ({ controlId: c.control.id, paramsJson: this.paramsJsonOf(c.params) })),
    );
  }

  /** evaluateObject on an object given by its JSON, and whether it holds no null-valued key (src/evaluation/rego-thread.ts). */
  evaluateObjectJson(
    json: Uint8Array,
    nullFree: boolean,
    ref: ResourceRef,
    checks: ReadonlyArray<{ controlId: string; paramsJson: Uint8Array }>,
  ): ControlVerdict[] {
    return objectControlVerdicts(this.loaded(), json, nullFree, ref, checks);
  }

  /** A control's parameters as the bundle reads them (UTF-8 JSON), encoded once per parameters object. */
  paramsJsonOf(params: object): Uint8Array {
    let bytes = this.paramsJson.get(params);
    if (!bytes) this.paramsJson.set(params, (bytes = encoder.encode(JSON.stringify(params))));
    return bytes;
  }

  private loaded(): RegoBundle {
    if (!this.bundle) throw new Error("RegoEngine used before prepare()");
    return this.bundle;
  }
}

/** A set-scope control to evaluate: its parameters and its inputs (setInputs), each a list of items. */
export interface PlannedSetControl<T> {
  id: string;
  parameters: unknown;
  inputs: ReadonlyArray<readonly T[]>;
}

/**
 * The verdict of each set-scope control on all its inputs, items given by their JSON (`bytesOf`) and parsed once
 * for all the controls (`scope`); an input the bundle cannot evaluate is an error of its control, the others
 * still judged. The Rego engine's evaluate() and its thread (src/evaluation/rego-thread.ts) both run it.
 */
export function setControlVerdicts<T extends object>(
  bundle: RegoBundle,
  controls: ReadonlyArray<PlannedSetControl<T>>,
  bytesOf: (item: T) => Uint8Array,
  scope: object,
): ControlVerdict[] {
  return controls.map(({ id, parameters, inputs }) => {
    const verdict: ControlVerdict = { controlId: id, violations: [], errors: [] };
    for (const input of inputs) {
      try {
        verdict.violations.push(...bundle.evaluateSetOf(id, input, bytesOf, parameters, scope));
      } catch (error) {
        verdict.errors.push({ message: errorMessage(error) });
      }
    }
    return verdict;
  });
}

/**
 * The verdicts of object-scope controls on one object given by its JSON: an object or control the bundle cannot
 * evaluate is an error of that control on the object, the others still judged. The Rego engine's
 * evaluateObject() and its thread (src/evaluation/rego-thread.ts) both run it.
 */
export function objectControlVerdicts(
  bundle: RegoBundle,
  json: Uint8Array,
  nullFree: boolean,
  ref: ResourceRef,
  checks: ReadonlyArray<{ controlId: string; paramsJson: Uint8Array }>,
): ControlVerdict[] {
  const results = bundle.evaluateObjectJson(json, nullFree, ref, checks);
  return checks.map(({ controlId }, i) => {
    const result = results[i]!;
    return result instanceof Error
      ? { controlId, violations: [], errors: [{ message: result.message, resource: ref }] }
      : { controlId, violations: result, errors: [] };
  });
}
