import type { Severity } from "../types.js";

export interface ControlOverride {
  enabled?: boolean;
  severity?: Severity;
  params?: Record<string, unknown>;
}

/** Content of `erlmcp-audit.config.yaml` (schema: src/config/config.schema.json). */
export interface AuditConfig {
  /** Default profile of every input (default `production`). */
  profile?: string;
  /** Overrides for every profile. */
  controls?: Record<string, ControlOverride>;
  /** Overrides for one profile. */
  profiles?: Record<string, { controls?: Record<string, ControlOverride> }>;
  /** Profile per input: paths (relative to the config file) of charts, values files, overlays, dirs or files. */
  inputs?: Array<{ paths: string[]; profile: string }>;
  /** Waiver files, relative to the config file. */
  waivers?: string[];
  helm?: { kubeVersion?: string; namespace?: string; releaseName?: string };
}
