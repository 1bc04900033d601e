/**
 * Types of `erlmcp-audit.config.yaml`, generated from src/config/config.schema.json by
 * scripts/generate-types.ts (config.generated.ts), so they cannot drift from the schema ajv checks.
 */
export type { AuditConfig, ControlOverride, ControlOverrides } from "./config.generated.js";

/** A config or waiver file a run used, as every report names it. */
export interface ConfigFile {
  /** Relative to the working directory, as in messages. */
  path: string;
  /** SHA-256 of the bytes read. */
  sha256: string;
  role: "config" | "waivers";
}
