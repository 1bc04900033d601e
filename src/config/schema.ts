/** JSON Schemas of the user-facing files: `erlmcp-audit.config.yaml` (config.schema.json) and waiver files. */
import configSchema from "./config.schema.json" with { type: "json" };

/** Schema of `erlmcp-audit.config.yaml`; src/config/config.generated.ts holds its TypeScript types. */
export const CONFIG_SCHEMA = configSchema;

/**
 * Schema of a waiver file. What a schema cannot say is checked in validate-waivers.ts: real calendar
 * dates, the maximum lifetime, a resource pinned by name or a non-empty label selector.
 */
export const WAIVER_FILE_SCHEMA = {
  $id: "erlmcp-audit/waivers",
  type: "object",
  additionalProperties: false,
  required: ["apiVersion", "kind", "waivers"],
  properties: {
    apiVersion: { const: "erlmcp-audit/v1" },
    kind: { const: "WaiverList" },
    waivers: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "control", "messageId", "match", "justification", "owner", "approver", "ticket", "approved", "expires"],
        properties: {
          id: { type: "string", pattern: "^[A-Za-z0-9._-]+$" },
          control: { type: "string", pattern: "^[a-z]+-[a-z0-9-]+$" },
          messageId: { type: "string", minLength: 1 },
          data: { type: "object", additionalProperties: { type: ["string", "number", "boolean"] } },
          match: {
            type: "object",
            additionalProperties: false,
            properties: {
              kind: { type: "string", minLength: 1 },
              namespace: { type: "string" },
              name: { type: "string", minLength: 1 },
              labels: { type: "object", additionalProperties: { type: "string" } },
            },
          },
          justification: { type: "string", minLength: 10 },
          owner: { type: "string", minLength: 1 },
          approver: { type: "string", minLength: 1 },
          ticket: { type: "string", minLength: 1 },
          approved: { type: "string" },
          expires: { type: "string" },
        },
      },
    },
  },
} as const;
