/** JSON Schemas of the user-facing files: `erlmcp-audit.config.yaml` and waiver files. */

const severity = { enum: ["critical", "high", "medium", "low"] };
const override = {
  type: "object",
  additionalProperties: false,
  properties: { enabled: { type: "boolean" }, severity, params: { type: "object" } },
};
const controlOverrides = { type: "object", propertyNames: { pattern: "^[a-z]+-[a-z0-9-]+$" }, additionalProperties: override };

export const CONFIG_SCHEMA = {
  $id: "erlmcp-audit/config",
  type: "object",
  additionalProperties: false,
  properties: {
    profile: { type: "string" },
    controls: controlOverrides,
    profiles: {
      type: "object",
      additionalProperties: { type: "object", additionalProperties: false, properties: { controls: controlOverrides } },
    },
    inputs: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["paths", "profile"],
        properties: { paths: { type: "array", minItems: 1, items: { type: "string" } }, profile: { type: "string" } },
      },
    },
    waivers: { type: "array", items: { type: "string" } },
    helm: {
      type: "object",
      additionalProperties: false,
      properties: {
        kubeVersion: { type: "string", pattern: "^\\d+\\.\\d+(\\.\\d+)?$" },
        namespace: { type: "string" },
        releaseName: { type: "string" },
      },
    },
  },
} as const;

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
