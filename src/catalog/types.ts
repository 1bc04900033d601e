/**
 * Types of the control catalog. The shape of control.yaml is generated from policies/control.schema.json
 * (scripts/generate-types.ts); this module names it and adds what the loader derives.
 */
import type { ControlSpec } from "./control-spec.generated.js";

export type {
  ControlSpec,
  Domain,
  FrameworkMapping,
  KyvernoUnsupportedClause,
  MappingBasis,
  ObjectCondition,
  TrivyCheckOverlap,
} from "./control-spec.generated.js";

/** A loaded control: its control.yaml with kind aliases expanded, plus where it lives. */
export interface Control extends ControlSpec {
  /** Directory of the control, e.g. `policies/net-default-deny`. */
  dir: string;
  /** Rego package path, e.g. `erlmcp.controls.net_default_deny`. */
  regoPackage: string;
}
