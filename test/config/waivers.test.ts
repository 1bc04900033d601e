/**
 * Waiver files and `enabled: false` fail closed: a date nobody can read, a waiver that pins nothing, an
 * approval in the future, a lifetime past the policy or a control switched off without a reason is a
 * config error at file:line:column; a waiver covers exactly its control, message, resource and data.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/load.js";
import type { Finding } from "../../src/types.js";
import { applyWaivers } from "../../src/waivers/apply.js";
import type { Waiver } from "../../src/waivers/types.js";
import { tempTree } from "../helpers/tmp.js";

const NOW = new Date("2026-06-15T10:00:00Z");
const CONFIG = "erlmcp-audit.config.yaml";

interface WaiverFields {
  messageId?: string | null;
  match?: string;
  data?: string;
  approved?: string | null;
  expires?: string;
}

/** A waiver file of one waiver; `null` leaves a field out. Line 4 is `- id:`, line 5 `control:`. */
function waiverFile(fields: WaiverFields = {}): string {
  const f = {
    messageId: "hostPathVolume",
    match: "{ kind: Deployment, namespace: erlmcp, name: app }",
    approved: "2026-06-01",
    expires: "2027-05-31",
    ...fields,
  };
  return [
    "apiVersion: erlmcp-audit/v1",
    "kind: WaiverList",
    "waivers:",
    "  - id: W1",
    "    control: pod-no-host-access",
    ...(f.messageId === null ? [] : [`    messageId: ${f.messageId}`]),
    ...(f.data === undefined ? [] : [`    data: ${f.data}`]),
    `    match: ${f.match}`,
    "    justification: the log shipper reads /var/log read-only",
    "    owner: platform@example.com",
    "    approver: security@example.com",
    "    ticket: SEC-9",
    ...(f.approved === null ? [] : [`    approved: "${f.approved}"`]),
    `    expires: "${f.expires}"`,
    "",
  ].join("\n");
}

/** The ConfigError lines of loading `config` with `w.yaml` as its waiver file, at NOW (none: valid). */
function errorsOf(waivers: string, config = "waivers: [w.yaml]\n"): string[] {
  const root = tempTree({ [CONFIG]: config, "w.yaml": waivers });
  try {
    loadConfig(CONFIG, root, [], undefined, NOW);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message.split("\n");
  }
}

describe("waiver dates", () => {
  it("accepts a valid waiver", () => {
    expect(errorsOf(waiverFile())).toEqual([]);
  });

  it("rejects an expiry that is not a real calendar date instead of treating it as never expiring", () => {
    expect(errorsOf(waiverFile({ expires: "2020-13-45" }))).toEqual([
      'w.yaml:13:5: waivers[0].expires: must be a real calendar date YYYY-MM-DD, got "2020-13-45"',
    ]);
    expect(errorsOf(waiverFile({ expires: "2027-02-29" }))).toEqual([
      'w.yaml:13:5: waivers[0].expires: must be a real calendar date YYYY-MM-DD, got "2027-02-29"',
    ]);
    expect(errorsOf(waiverFile({ approved: "June 1st" }))).toEqual([
      'w.yaml:12:5: waivers[0].approved: must be a real calendar date YYYY-MM-DD, got "June 1st"',
    ]);
  });

  it("requires the approval date and the message ID", () => {
    expect(errorsOf(waiverFile({ approved: null, messageId: null }))).toEqual([
      "w.yaml:4:5: waivers[0].approved: required key 'approved' is missing",
      "w.yaml:4:5: waivers[0].messageId: required key 'messageId' is missing",
    ]);
  });

  it("rejects an approval after the audit date and an expiry before the approval", () => {
    expect(errorsOf(waiverFile({ approved: "2026-06-16" }))).toEqual([
      "w.yaml:12:5: waivers[0].approved: 2026-06-16 is after the audit date 2026-06-15: a waiver cannot be approved in the future",
    ]);
    expect(errorsOf(waiverFile({ approved: "2026-06-01", expires: "2026-05-31" }))).toEqual([
      "w.yaml:13:5: waivers[0].expires: 2026-05-31 is before the approval date 2026-06-01",
    ]);
  });

  it("caps the lifetime at 365 days by default, or at the config's waiverPolicy.maxLifetimeDays", () => {
    expect(errorsOf(waiverFile({ approved: "2026-06-01", expires: "2027-06-01" }))).toEqual([]);
    expect(errorsOf(waiverFile({ approved: "2026-06-01", expires: "2027-06-02" }))).toEqual([
      "w.yaml:13:5: waivers[0].expires: 2027-06-02 is 366 days after the approval date 2026-06-01; a waiver may run at most 365 days (waiverPolicy.maxLifetimeDays)",
    ]);
    const strict = "waivers: [w.yaml]\nwaiverPolicy: { maxLifetimeDays: 90 }\n";
    expect(errorsOf(waiverFile(), strict)).toEqual([
      "w.yaml:13:5: waivers[0].expires: 2027-05-31 is 364 days after the approval date 2026-06-01; a waiver may run at most 90 days (waiverPolicy.maxLifetimeDays)",
    ]);
    expect(errorsOf(waiverFile(), "waivers: [w.yaml]\nwaiverPolicy: { maxLifetimeDays: 0 }\n")).toEqual([
      `${CONFIG}:2:17: waiverPolicy.maxLifetimeDays: must be >= 1, got 0`,
    ]);
  });

  it("applies the policy to --waivers files too", () => {
    const root = tempTree({ "w.yaml": waiverFile({ approved: "2025-01-01", expires: "2026-12-31" }) });
    expect(() => loadConfig(undefined, root, ["w.yaml"], undefined, NOW)).toThrow(/w\.yaml:13:5: .* at most 365 days/);
  });
});

describe("what a waiver pins", () => {
  it("rejects a match that names no resource, only a kind or a namespace, or an empty label selector", () => {
    expect(errorsOf(waiverFile({ match: "{}" }))).toEqual([
      'w.yaml:7:5: waivers[0].match: does not pin a resource (it is empty): name the resource with kind, namespace and name (namespace: "" for an object written without one; none for a cluster-scoped kind), or select it with a non-empty `labels`',
    ]);
    expect(errorsOf(waiverFile({ match: "{ kind: Deployment, namespace: erlmcp }" }))).toEqual([
      expect.stringMatching(/^w\.yaml:7:5: waivers\[0\]\.match: does not pin a resource \(only kind, namespace given\)/),
    ]);
    expect(errorsOf(waiverFile({ match: "{ kind: Deployment, labels: {} }" }))).toEqual([
      expect.stringMatching(/^w\.yaml:7:32: waivers\[0\]\.match\.labels: an empty label selector matches every resource;/),
    ]);
    expect(errorsOf(waiverFile({ match: "{ kind: Deployment, name: app }" }))).toEqual([
      expect.stringMatching(/^w\.yaml:7:5: waivers\[0\]\.match\.namespace: required for the namespaced kind Deployment;/),
    ]);
  });

  it("accepts a non-empty label selector, a cluster-scoped kind without namespace, and an explicit empty namespace", () => {
    expect(errorsOf(waiverFile({ match: "{ labels: { app: log-shipper } }" }))).toEqual([]);
    expect(errorsOf(waiverFile({ match: '{ kind: Deployment, namespace: "", name: app }' }))).toEqual([]);
    const clusterRole = waiverFile({ match: "{ kind: ClusterRole, name: reader }" })
      .replace("pod-no-host-access", "iam-no-wildcards")
      .replace("hostPathVolume", "wildcardVerb");
    expect(errorsOf(clusterRole)).toEqual([]);
  });

  it("rejects a message ID the control does not have, suggesting the closest, and an empty data", () => {
    expect(errorsOf(waiverFile({ messageId: "hostPathVolumes" }))).toEqual([
      "w.yaml:6:5: waivers[0].messageId: unknown message ID 'hostPathVolumes' of pod-no-host-access (did you mean 'hostPathVolume'?); message IDs: hostNamespace, privilegedContainer, hostPathVolume, hostPathPersistentVolume, hostPort, unmaskedProcMount, hostProcess, unsafeSysctl",
    ]);
    expect(errorsOf(waiverFile({ data: "{}" }))).toEqual([
      "w.yaml:7:5: waivers[0].data: an empty `data` narrows nothing: name the finding's detail (e.g. { container: app }) or remove it",
    ]);
  });
});

describe("enabled: false", () => {
  const configErrors = (config: string) => {
    const root = tempTree({ [CONFIG]: config });
    try {
      return { loaded: loadConfig(CONFIG, root, [], undefined, NOW), errors: [] as string[] };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return { loaded: undefined, errors: error.message.split("\n") };
    }
  };

  it("needs a reason, in controls and in profiles.<p>.controls", () => {
    expect(configErrors("controls:\n  pod-no-host-access: { enabled: false }\n").errors).toEqual([
      `${CONFIG}:2:25: controls.pod-no-host-access.enabled: \`enabled: false\` needs a \`reason\`: why the control is off (every report shows it)`,
    ]);
    expect(
      configErrors("profiles:\n  staging:\n    controls:\n      avl-zone-spread:\n        enabled: false\n        reason: '  '\n").errors,
    ).toEqual([
      `${CONFIG}:6:9: profiles.staging.controls.avl-zone-spread.reason: \`enabled: false\` needs a \`reason\`: why the control is off (every report shows it)`,
    ]);
  });

  it("keeps the file, line, profile and reason of every enabled: false", () => {
    const { loaded } = configErrors(
      "controls:\n  pod-no-host-access:\n    enabled: false\n    reason: audited by the platform scanner\nprofiles:\n  development:\n    controls:\n      avl-zone-spread: { enabled: false, reason: one zone }\n",
    );
    expect(loaded?.disabled).toEqual([
      { controlId: "pod-no-host-access", file: CONFIG, line: 3, reason: "audited by the platform scanner" },
      { controlId: "avl-zone-spread", profile: "development", file: CONFIG, line: 8, reason: "one zone" },
    ]);
  });
});

describe("applyWaivers", () => {
  const waiver = (over: Partial<Waiver> = {}): Waiver => ({
    id: "W1",
    control: "pod-no-host-access",
    messageId: "hostPathVolume",
    data: { volume: "varlog" },
    match: { kind: "Deployment", namespace: "erlmcp", name: "app" },
    justification: "the log shipper reads /var/log",
    owner: "o",
    approver: "a",
    ticket: "T",
    approved: "2026-06-01",
    expires: "2027-05-31",
    file: "w.yaml",
    ...over,
  });
  const finding = (messageId: string, data: Finding["data"]): Finding => ({
    controlId: "pod-no-host-access",
    messageId,
    message: "m",
    data,
    severity: "critical",
    status: "fail",
    resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: "erlmcp", name: "app" },
    source: { file: "app.yaml", line: 1, documentIndex: 0 },
    engine: "rego",
    unit: "app",
  });
  const statuses = (waivers: Waiver[], findings: Finding[]) =>
    applyWaivers(findings, waivers, { now: NOW }).findings.map((f) => [f.messageId, JSON.stringify(f.data), f.status]);

  it("waives only the message and data it names on the resource it names", () => {
    expect(
      statuses(
        [waiver()],
        [
          finding("hostPathVolume", { volume: "varlog" }),
          finding("hostPathVolume", { volume: "root" }),
          finding("privilegedContainer", { container: "app" }),
        ],
      ),
    ).toEqual([
      ["hostPathVolume", '{"volume":"varlog"}', "waived"],
      ["hostPathVolume", '{"volume":"root"}', "fail"],
      ["privilegedContainer", '{"container":"app"}', "fail"],
    ]);
  });

  it('compares data values exactly: 8080 is not "8080"', () => {
    const port = waiver({ messageId: "hostPort", data: { container: "app", port: 8080 } });
    expect(
      statuses([port], [finding("hostPort", { container: "app", port: "8080" }), finding("hostPort", { container: "app", port: 8080 })]),
    ).toEqual([
      ["hostPort", '{"container":"app","port":"8080"}', "fail"],
      ["hostPort", '{"container":"app","port":8080}', "waived"],
    ]);
  });

  it("treats a waiver whose expiry is not a real date as expired, never as active", () => {
    const { findings, register } = applyWaivers([finding("hostPathVolume", { volume: "varlog" })], [waiver({ expires: "2020-13-45" })], {
      now: NOW,
    });
    expect(findings[0]!.status).toBe("fail");
    expect(register[0]!.state).toBe("expired");
  });
});
