/** JSON Schemas of the user-facing files: `erlmcp-audit.config.yaml` (config.schema.json) and waiver files. */
import configSchema from "./config.schema.json" with { type: "json" };

/** Schema of `erlmcp-audit.config.yaml`; src/config/config.generated.ts holds its TypeScript types. */
export const CONFIG_SCHEMA = configSchema;

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
        required: ["id", "control", "match", "justification", "owner", "approver", "ticket", "expires"],
        properties: {
          id: { type: "string", pattern: "^[A-Za-z0-9._-]+$" },
          control: { type: "string", pattern: "^[a-z]+-[a-z0-9-]+$" },
          match: {
            type: "object",
            additionalProperties: false,
            minProperties: 1,
            properties: {
              kind: { type: "string" },
              namespace: { type: "string" },
              name: { type: "string" },
              labels: { type: "object", additionalProperties: { type: "string" } },
            },
          },
          justification: { type: "string", minLength: 10 },
          owner: { type: "string", minLength: 1 },
          approver: { type: "string", minLength: 1 },
          ticket: { type: "string", minLength: 1 },
          expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
        },
      },
    },
  },
} as const;
