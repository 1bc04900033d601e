/**
 * Evaluates one admitted object against the object-scope controls, with the same wasm bundle and
 * TypeScript validators as the CLI, then applies the waivers. One instance per worker thread.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadPolicy, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import { loadCatalog, renderMessage } from "../catalog/load.js";
import type { Control } from "../catalog/types.js";
import { isControlEnabled, resolveParams, resolveSeverity } from "../config/profiles.js";
import type { AuditConfig } from "../config/types.js";
import { readBundleManifest, toViolations } from "../engines/rego.js";
import { refOf } from "../k8s/workloads.js";
import { POLICIES_DIR } from "../paths.js";
import type { Finding, K8sObject, Severity, Violation } from "../types.js";
import { VALIDATORS } from "../validators/index.js";
import type { ObjectValidator, Params } from "../validators/types.js";
import { applyWaivers } from "../waivers/apply.js";
import type { Waiver } from "../waivers/types.js";

/** What the config and waiver files say, as plain data (sent to every worker on load and reload). */
export interface PolicySettings {
  config: AuditConfig;
  waivers: Waiver[];
  profile: string;
}

/** A finding at admission: the control's remediation travels with it for the response message. */
export interface AdmissionFinding extends Finding {
  remediation: string;
}

interface Plan {
  control: Control;
  severity: Severity;
  params: Params;
  /** The parameters as JSON (UTF-8), parsed into the wasm heap for each object. */
  paramsJson: Uint8Array;
  entrypoint?: number;
  validator?: ObjectValidator;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const SOURCE = { file: "admission", line: 0, documentIndex: 0 };

export class AdmissionEvaluator {
  private plans = new Map<string, Plan[]>();
  private settings: PolicySettings = { config: {}, waivers: [], profile: "production" };

  private readonly wasm: WasmSession;

  private constructor(
    policy: LoadedPolicy,
    private readonly entrypoints: Record<string, number>,
    private readonly controls: readonly Control[],
  ) {
    this.wasm = new WasmSession(policy);
  }

  /** Loads the catalog and the wasm bundle (`policies/dist`, or ERLMCP_AUDIT_POLICY_DIST). */
  static async load(settings: PolicySettings, distDir = process.env.ERLMCP_AUDIT_POLICY_DIST || join(POLICIES_DIR, "dist")) {
    const manifest = readBundleManifest(distDir);
    const controls = loadCatalog().filter((c) => c.scope === "object");
    const missing = controls.filter((c) => c.engines.includes("rego") && !manifest.entrypoints[c.id]).map((c) => c.id);
    if (missing.length)
      throw new Error(`The policy bundle ${distDir}/policy.wasm lacks ${missing.join(", ")}. Run \`npm run build:policies\`.`);
    const policy = await loadPolicy(readFileSync(join(distDir, "policy.wasm")), { initial: 64 });
    const ids = policy.entrypoints as Record<string, number>;
    const entrypoints: Record<string, number> = {};
    for (const c of controls.filter((c) => manifest.entrypoints[c.id])) {
      const id = ids[manifest.entrypoints[c.id]!];
      if (id === undefined)
        throw new Error(`${distDir}/policy.wasm has no entrypoint ${manifest.entrypoints[c.id]} (manifest.json is stale).`);
      entrypoints[c.id] = id;
    }
    const evaluator = new AdmissionEvaluator(policy, entrypoints, controls);
    evaluator.configure(settings);
    return evaluator;
  }

  /** Applies new config/waiver settings: the controls enabled, their severity and parameters per kind. */
  configure(settings: PolicySettings): void {
    const plans = new Map<string, Plan[]>();
    for (const control of this.controls) {
      if (!isControlEnabled(control, settings.profile, settings.config)) continue;
      const params = resolveParams(control, settings.profile, settings.config);
      const validator = control.engines.includes("typescript") ? VALIDATORS[control.id] : undefined;
      const entrypoint = this.entrypoints[control.id];
      const plan: Plan = {
        control,
        severity: resolveSeverity(control, settings.profile, settings.config),
        params,
        paramsJson: encoder.encode(JSON.stringify(params)),
        ...(entrypoint === undefined ? {} : { entrypoint }),
        ...(validator?.scope === "object" ? { validator } : {}),
      };
      for (const kind of control.kinds) plans.set(kind, [...(plans.get(kind) ?? []), plan]);
    }
    this.plans = plans;
    this.settings = settings;
  }

  /** Failing, waived and error findings of one object (passing controls produce none). */
  evaluate(object: K8sObject, now: Date): AdmissionFinding[] {
    const plans = this.plans.get(String(object.kind)) ?? [];
    if (!plans.length) return [];
    const ref = refOf(object);
    const input = this.wasm.parseInput(object);
    const findings: AdmissionFinding[] = [];
    for (const plan of plans) {
      const seen = new Set<string>();
      const add = (violations: Violation[], engine: "rego" | "typescript") => {
        for (const v of violations) {
          const key = `${v.messageId}\u0000${JSON.stringify(Object.entries(v.data).sort())}`;
          if (seen.has(key)) continue;
          seen.add(key);
          findings.push(this.finding(plan, engine, "fail", v.messageId, renderMessage(plan.control, v.messageId, v.data), v.data, ref));
        }
      };
      const fail = (engine: "rego" | "typescript", error: unknown) => {
        const message = `${engine} could not evaluate ${plan.control.id}: ${error instanceof Error ? error.message : String(error)}`;
        findings.push(this.finding(plan, engine, "error", "evaluationError", message, {}, ref));
      };
      if (plan.entrypoint !== undefined) {
        try {
          add(toViolations(this.wasm.evaluate(input, plan.paramsJson, plan.entrypoint), ref, plan.control.id), "rego");
        } catch (error) {
          fail("rego", error);
        }
      }
      if (plan.validator) {
        try {
          add(plan.validator.validate(object, plan.params), "typescript");
        } catch (error) {
          fail("typescript", error);
        }
      }
    }
    return applyWaivers(findings, this.settings.waivers, { now, objectOf: () => object }).findings as AdmissionFinding[];
  }

  private finding(
    plan: Plan,
    engine: "rego" | "typescript",
    status: "fail" | "error",
    messageId: string,
    message: string,
    data: Finding["data"],
    resource: Finding["resource"],
  ): AdmissionFinding {
    const { control, severity } = plan;
    return {
      controlId: control.id,
      messageId,
      message,
      data,
      severity,
      status,
      resource,
      source: SOURCE,
      engine,
      unit: "admission",
      remediation: control.remediation,
    };
  }
}

interface OpaExports {
  opa_malloc(size: number): number;
  opa_json_parse(address: number, length: number): number;
  opa_json_dump(value: number): number;
  opa_heap_ptr_set(address: number): void;
  opa_value_add_path(base: number, path: number, value: number): number;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(ctx: number, value: number): void;
  opa_eval_ctx_set_data(ctx: number, value: number): void;
  opa_eval_ctx_set_entrypoint(ctx: number, entrypoint: number): void;
  eval(ctx: number): number;
  opa_eval_ctx_get_result(ctx: number): number;
}

const PARAMETERS_PATH = encoder.encode('["parameters"]');

/**
 * Evaluates many entrypoints against one object with the object's JSON parsed into the wasm heap once
 * (LoadedPolicy.evaluate re-parses the whole input on every call, most of the cost for small policies).
 * Uses the policy ABI calls that LoadedPolicy itself uses; only `parameters` differs between controls.
 */
class WasmSession {
  private readonly exports: OpaExports;
  private readonly memory: { buffer: ArrayBuffer };
  private readonly dataAddress: number;
  private readonly heapStart: number;

  constructor(policy: LoadedPolicy) {
    const internals = policy as unknown as {
      wasmInstance: { exports: unknown };
      mem: { buffer: ArrayBuffer };
      dataAddr: number;
      dataHeapPtr: number;
    };
    this.exports = internals.wasmInstance.exports as unknown as OpaExports;
    this.memory = internals.mem;
    this.dataAddress = internals.dataAddr;
    this.heapStart = internals.dataHeapPtr;
  }

  /** Frees the previous object's values and parses `{"parameters":{},"review":{"object":…}}`. */
  parseInput(object: K8sObject): { input: number; path: number } {
    this.exports.opa_heap_ptr_set(this.heapStart);
    const input = this.parse(encoder.encode(`{"parameters":{},"review":{"object":${JSON.stringify(object)}}}`));
    return { input, path: this.parse(PARAMETERS_PATH) };
  }

  evaluate(at: { input: number; path: number }, paramsJson: Uint8Array, entrypoint: number): unknown {
    const e = this.exports;
    if (e.opa_value_add_path(at.input, at.path, this.parse(paramsJson)) !== 0) throw new Error("cannot set input.parameters");
    const ctx = e.opa_eval_ctx_new();
    e.opa_eval_ctx_set_input(ctx, at.input);
    e.opa_eval_ctx_set_data(ctx, this.dataAddress);
    e.opa_eval_ctx_set_entrypoint(ctx, entrypoint);
    e.eval(ctx);
    const text = e.opa_json_dump(e.opa_eval_ctx_get_result(ctx));
    const bytes = new Uint8Array(this.memory.buffer);
    return JSON.parse(decoder.decode(bytes.subarray(text, bytes.indexOf(0, text))));
  }

  private parse(json: Uint8Array): number {
    const address = this.exports.opa_malloc(json.length);
    new Uint8Array(this.memory.buffer).set(json, address);
    const value = this.exports.opa_json_parse(address, json.length);
    if (!value) throw new Error("the wasm policy could not parse its input");
    return value;
  }
}
