/**
 * Types of `erlmcp-audit.config.yaml`, generated from src/config/config.schema.json by
 * scripts/generate-types.ts (config.generated.ts), so they cannot drift from the schema ajv checks.
 */
export type { AuditConfig, ControlOverride, ControlOverrides } from "./config.generated.js";
