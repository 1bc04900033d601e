import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load.js";
import { CONFIG_SCHEMA } from "../../src/config/schema.js";
import { resolveParams, resolveSeverity, isControlEnabled } from "../../src/config/profiles.js";
import { loadCatalog } from "../../src/catalog/load.js";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { tempTree } from "../helpers/tmp.js";

const CONFIG = "erlmcp-audit.config.yaml";

/** Loads `text` as the config file of a fresh folder; returns the ConfigError's lines (none: valid). */
function errorsOf(text: string, files: Record<string, string> = {}): string[] {
  const root = tempTree({ [CONFIG]: text, ...files });
  try {
    loadConfig(CONFIG, root);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message.split("\n");
  }
}

const WAIVER = (id: string, control: string) => `  - id: ${id}
    control: ${control}
    messageId: loadBalancerService
    match: { kind: Service, namespace: erlmcp, name: edge }
    justification: The public edge of the service.
    owner: platform@example.com
    approver: security@example.com
    ticket: SEC-1
    approved: "2026-01-01"
    expires: "2026-12-31"
`;

describe("config validation against the catalog", () => {
  it("names the file, line, column and key of an unknown control ID and suggests the closest ID", () => {
    expect(errorsOf("controls:\n  avl-quorum-replica: { severity: low }\n")).toEqual([
      `${CONFIG}:2:3: controls.avl-quorum-replica: unknown control 'avl-quorum-replica' (did you mean 'avl-quorum-replicas'?)`,
    ]);
    expect(errorsOf("profiles:\n  staging:\n    controls:\n      Nope: {}\n")).toEqual([
      `${CONFIG}:4:7: profiles.staging.controls.Nope: unknown control 'Nope'; \`erlmcp-audit controls\` lists them`,
    ]);
  });

  it("reports an unknown parameter and a wrong type together, each at its key (the issue's example)", () => {
    const lines = errorsOf('controls:\n  avl-quorum-replicas:\n    params: { minReplicas: "three", bogus: 1 }\n');
    expect(lines).toEqual([
      `${CONFIG}:3:15: controls.avl-quorum-replicas.params.minReplicas: must be an integer, got "three"`,
      `${CONFIG}:3:37: controls.avl-quorum-replicas.params.bogus: unknown parameter 'bogus' of avl-quorum-replicas; parameters: minReplicas, requireOdd`,
    ]);
  });

  it("suggests the parameter a misspelt name was meant to be", () => {
    expect(errorsOf("controls:\n  avl-quorum-replicas:\n    params:\n      minReplica: 5\n")).toEqual([
      `${CONFIG}:4:7: controls.avl-quorum-replicas.params.minReplica: unknown parameter 'minReplica' of avl-quorum-replicas (did you mean 'minReplicas'?); parameters: minReplicas, requireOdd`,
    ]);
  });

  it("checks profile overrides against the schema after merging, at the key that set the value", () => {
    const lines = errorsOf(
      "profiles:\n  staging:\n    controls:\n      avl-quorum-replicas:\n        params: { minReplicas: 0 }\n      obs-alerts-defined:\n        params:\n          readinessMetrics: []\n",
    );
    expect(lines).toEqual([
      `${CONFIG}:5:19: profiles.staging.controls.avl-quorum-replicas.params.minReplicas: must be >= 1, got 0`,
      `${CONFIG}:8:11: profiles.staging.controls.obs-alerts-defined.params.readinessMetrics: must have at least 1 item, got an empty list`,
    ]);
  });

  it("rejects a bad severity and a non-boolean enabled, listing the allowed values", () => {
    expect(errorsOf("controls:\n  obs-alerts-defined:\n    severity: urgent\n    enabled: no-thanks\n")).toEqual([
      `${CONFIG}:3:5: controls.obs-alerts-defined.severity: must be one of critical, high, medium, low, got "urgent"`,
      `${CONFIG}:4:5: controls.obs-alerts-defined.enabled: must be a boolean (true or false), got "no-thanks"`,
    ]);
  });

  it("rejects params on a control that has none", () => {
    expect(errorsOf("controls:\n  net-default-deny:\n    params: { namespaces: [a] }\n")).toEqual([
      `${CONFIG}:3:5: controls.net-default-deny.params: control net-default-deny has no parameters; remove params`,
    ]);
  });

  it("rejects unknown profile names in profile, inputs[].profile and profiles", () => {
    expect(errorsOf("profile: prod\ninputs:\n  - paths: [dev]\n    profile: developement\nprofiles:\n  qa: {}\n")).toEqual([
      `${CONFIG}:1:1: profile: unknown profile 'prod' (did you mean 'production'?); profiles: production, staging, development`,
      `${CONFIG}:4:5: inputs[0].profile: unknown profile 'developement' (did you mean 'development'?); profiles: production, staging, development`,
      `${CONFIG}:6:3: profiles.qa: unknown profile 'qa'; profiles: production, staging, development`,
    ]);
  });

  it("rejects unknown keys at the top level and below, suggesting the documented key", () => {
    expect(errorsOf("profle: production\nhelm:\n  kubeversion: '1.31'\n")).toEqual([
      `${CONFIG}:1:1: profle: unknown key 'profle' (did you mean 'profile'?); expected one of: ${Object.keys(CONFIG_SCHEMA.properties).join(", ")}`,
      `${CONFIG}:3:3: helm.kubeversion: unknown key 'kubeversion' (did you mean 'kubeVersion'?); expected one of: ${Object.keys(CONFIG_SCHEMA.properties.helm.properties).join(", ")}`,
    ]);
  });

  it("points a missing required key at its parent, and a YAML syntax error at its position", () => {
    expect(errorsOf("inputs:\n  - paths: [a]\n")).toEqual([`${CONFIG}:2:5: inputs[0].profile: required key 'profile' is missing`]);
    expect(errorsOf("profile: production\nprofile: staging\n")).toEqual([`${CONFIG}:2:1: invalid YAML: Map keys must be unique`]);
  });

  it("exposes the issues as data on the ConfigError", () => {
    const root = tempTree({ [CONFIG]: "controls:\n  avl-quorum-replicas: { params: { minReplicas: x } }\n" });
    const error = (() => {
      try {
        loadConfig(CONFIG, root);
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.file).toBe(CONFIG);
    expect(error?.issues).toEqual([
      {
        file: CONFIG,
        line: 2,
        column: 36,
        path: ["controls", "avl-quorum-replicas", "params", "minReplicas"],
        problem: 'must be an integer, got "x"',
      },
    ]);
  });

  it("checks waiver files: unknown control IDs and duplicate waiver IDs, at their keys", () => {
    const waivers = `apiVersion: erlmcp-audit/v1\nkind: WaiverList\nwaivers:\n${WAIVER("W1", "net-external-exposur")}${WAIVER("W1", "net-external-exposure")}`;
    expect(errorsOf("waivers: [w.yaml]\n", { "w.yaml": waivers })).toEqual([
      "w.yaml:5:5: waivers[0].control: unknown control 'net-external-exposur' (did you mean 'net-external-exposure'?)",
      "w.yaml:14:5: waivers[1].id: waiver id 'W1' is used twice; first at w.yaml:4",
    ]);
  });

  it("accepts a valid config with overrides and resolves them over the control's defaults and profile", () => {
    const root = tempTree({
      [CONFIG]: `profile: staging
inputs:
  - paths: [dev]
    profile: development
controls:
  avl-quorum-replicas:
    severity: medium
    params: { minReplicas: 5 }
profiles:
  development:
    controls:
      avl-quorum-replicas: { params: { requireOdd: true } }
      avl-zone-spread: { enabled: false, reason: single-zone development cluster }
`,
    });
    const { config } = loadConfig(CONFIG, root);
    const control = loadCatalog().find((c) => c.id === "avl-quorum-replicas")!;
    const zoneSpread = loadCatalog().find((c) => c.id === "avl-zone-spread")!;
    expect(resolveParams(control, "production", config)).toEqual({ minReplicas: 5, requireOdd: true });
    expect(resolveParams(control, "development", config)).toEqual({ minReplicas: 5, requireOdd: true });
    expect(resolveSeverity(control, "staging", config)).toBe("medium");
    expect(isControlEnabled(zoneSpread, "development", config)).toBe(false);
    expect(isControlEnabled(zoneSpread, "production", config)).toBe(true);
  });

  const docs = readFileSync(join(PACKAGE_ROOT, "docs/configuration.md"), "utf8");
  const blocks = [...docs.matchAll(/```(yaml|text)\n([\s\S]*?)```/g)].map((m) => m[2]!);

  it("accepts the config and waiver examples of docs/configuration.md (every documented key)", () => {
    const config = blocks.find((b) => b.includes("inputs:"))!;
    const waivers = blocks.find((b) => b.includes("kind: WaiverList"))!;
    expect(config).toBeDefined();
    expect(errorsOf(config, { "erlmcp-audit.waivers.yaml": waivers })).toEqual([]);
  });

  it("fails the invalid example of docs/configuration.md with exactly the errors shown there", () => {
    const example = blocks.find((b) => b.includes("avl-quorum-replica:"))!;
    const shown = blocks.find((b) => b.startsWith("erlmcp-audit: "))!;
    expect(errorsOf(example)).toEqual(
      shown
        .replace(/^erlmcp-audit: /, "")
        .trimEnd()
        .split("\n"),
    );
  });
});
