import type { EngineName, FrameworkId, Scope, Severity } from "../types.js";

/** Basis of a framework mapping (see CONTROLS.md): K Kubescape, P Prowler, A AICPA→NIST, J our judgement. */
export type MappingBasis = "K" | "P" | "A" | "J";

export interface FrameworkMapping {
  /** Criterion or Annex A control, e.g. `CC6.1` or `A.8.20`. */
  id: string;
  basis: MappingBasis[];
  /** One line: why this control supports that criterion. */
  rationale: string;
}

export type Domain = "net" | "iam" | "sec" | "pod" | "avl" | "res" | "obs" | "chg" | "tls" | "bak";

/** The content of `policies/<id>/control.yaml`: the only metadata of a control. */
export interface ControlSpec {
  id: string;
  title: string;
  domain: Domain;
  severity: Severity;
  scope: Scope;
  /**
   * Set scope only. `namespace`: the findings about a namespace depend only on the objects of that
   * namespace and on cluster-scoped objects, so engines may evaluate one namespace at a time.
   */
  partition?: "namespace";
  /** Engines that implement the control (CONTROLS.md "Engines" column). */
  engines: EngineName[];
  /** Kinds the control inspects (object scope: the kinds it matches at admission). */
  kinds: string[];
  description: string;
  /** message ID → template; `{name}` is replaced from the violation's data. */
  messages: Record<string, string>;
  params?: {
    /** JSON Schema (draft 2020-12 subset) for the parameters object. */
    schema: Record<string, unknown>;
    /** Strict production defaults. */
    defaults: Record<string, unknown>;
  };
  /** Per profile: parameter overrides and/or a severity override. */
  profiles?: Record<string, { params?: Record<string, unknown>; severity?: Severity }>;
  remediation: string;
  frameworks: Record<FrameworkId, FrameworkMapping[]>;
  references?: string[];
}

export interface Control extends ControlSpec {
  /** Directory of the control, e.g. `policies/net-default-deny`. */
  dir: string;
  /** Rego package path, e.g. `erlmcp.controls.net_default_deny`. */
  regoPackage: string;
}
