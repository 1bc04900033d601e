/**
 * The scenario of the sample ledger (reports/ledger-sample/) and of the ledger tests: gate runs on
 * one Pod over January 2026 — passing, failing, a failure fixed two days later, a waived finding,
 * days without a run, a failure still open at the end — and admission decisions of the webhook.
 * Each run is a real audit with SOURCE_DATE_EPOCH set to its time, written as an evidence package.
 */
import type { KeyObject } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { audit } from "../src/audit.js";
import { renderEvidencePackage, writeEvidencePackage } from "../src/evidence/index.js";
import { appendAdmission, appendRun } from "../src/ledger/index.js";

/** The two controls the scenario runs. */
export const SCENARIO_CONTROLS = ["pod-no-host-access", "pod-readonly-rootfs"];

const pod = (extra: { hostNetwork?: boolean; hostPort?: boolean; privileged?: boolean }) => `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
${extra.hostNetwork ? "  hostNetwork: true\n" : ""}  containers:
    - name: app
      image: registry.example.com/web:1.0
${extra.hostPort ? "      ports: [{ containerPort: 8080, hostPort: 8080 }]\n" : ""}      securityContext:
        readOnlyRootFilesystem: true
        privileged: ${extra.privileged ? "true" : "false"}
`;

const WAIVERS = `apiVersion: erlmcp-audit/v1
kind: WaiverList
waivers:
  - id: WVR-0042
    control: pod-no-host-access
    messageId: hostPort
    match: { kind: Pod, namespace: shop, name: web }
    justification: Legacy health probe binds the host port until the load balancer migration (LB-7).
    owner: platform-team
    approver: ciso@example.com
    ticket: SEC-4242
    approved: "2026-01-06"
    expires: "2026-03-31"
`;

/** One gate run of the scenario: when, at which commit, on which manifest. */
export interface ScenarioRun {
  time: string;
  commit: string;
  manifest: Parameters<typeof pod>[0];
  waivers?: boolean;
}

const commit = (n: number) => `${String(n).padStart(2, "0")}`.repeat(20);

/** The runs, oldest first: one before the period (2026-01-01 to 2026-01-14), then the period. */
export const SCENARIO_RUNS: ScenarioRun[] = [
  { time: "2025-12-31T09:00:00Z", commit: commit(1), manifest: {} },
  { time: "2026-01-01T09:00:00Z", commit: commit(2), manifest: {} },
  { time: "2026-01-02T09:00:00Z", commit: commit(3), manifest: {} },
  { time: "2026-01-03T09:00:00Z", commit: commit(4), manifest: { hostNetwork: true } },
  { time: "2026-01-04T09:00:00Z", commit: commit(5), manifest: { hostNetwork: true } },
  { time: "2026-01-05T15:30:00Z", commit: commit(6), manifest: {} },
  { time: "2026-01-07T09:00:00Z", commit: commit(7), manifest: { hostPort: true }, waivers: true },
  { time: "2026-01-10T09:00:00Z", commit: commit(8), manifest: {}, waivers: true },
  { time: "2026-01-11T09:00:00Z", commit: commit(9), manifest: {}, waivers: true },
  { time: "2026-01-11T17:00:00Z", commit: commit(10), manifest: { privileged: true }, waivers: true },
  { time: "2026-01-12T09:00:00Z", commit: commit(11), manifest: { privileged: true }, waivers: true },
  { time: "2026-01-13T09:00:00Z", commit: commit(12), manifest: { privileged: true }, waivers: true },
  { time: "2026-01-14T09:00:00Z", commit: commit(13), manifest: {}, waivers: true },
  { time: "2026-01-14T18:00:00Z", commit: commit(14), manifest: { privileged: true }, waivers: true },
  { time: "2026-01-15T09:00:00Z", commit: commit(15), manifest: {}, waivers: true },
];

const decision = (time: string, fields: Record<string, unknown>) =>
  JSON.stringify({
    time,
    level: "info",
    msg: "admission decision",
    operation: "CREATE",
    namespace: "shop",
    user: "system:serviceaccount:ci:deployer",
    ...fields,
  });

/** The webhook's log: decisions on 2026-01-03 and 2026-01-10, with an event line between. */
export const SCENARIO_DECISION_LOG =
  [
    decision("2026-01-03T10:05:00Z", { uid: "u-1", kind: "Pod", name: "web", decision: "allowed", allowed: true, controls: [] }),
    decision("2026-01-03T10:07:00Z", {
      uid: "u-2",
      kind: "Pod",
      name: "debug",
      decision: "denied",
      allowed: false,
      controls: [{ id: "pod-no-host-access", severity: "critical", action: "deny", messageId: "hostNamespace" }],
    }),
    JSON.stringify({ time: "2026-01-03T10:30:00Z", level: "info", msg: "configuration reloaded" }),
    decision("2026-01-03T11:15:00Z", {
      uid: "u-3",
      kind: "Deployment",
      name: "api",
      decision: "warned",
      allowed: true,
      controls: [{ id: "pod-readonly-rootfs", severity: "medium", action: "warn", messageId: "writableRootFilesystem" }],
    }),
    decision("2026-01-10T08:00:00Z", {
      uid: "u-4",
      kind: "Pod",
      name: "web",
      decision: "allowed",
      allowed: true,
      controls: [{ id: "pod-no-host-access", severity: "critical", action: "waived", messageId: "hostPort", waiver: "WVR-0042" }],
    }),
    decision("2026-01-10T08:20:00Z", {
      uid: "u-5",
      kind: "Pod",
      name: "miner",
      namespace: "batch",
      decision: "denied",
      allowed: false,
      controls: [{ id: "pod-no-host-access", severity: "critical", action: "deny", messageId: "privilegedContainer" }],
    }),
    decision("2026-01-10T09:45:00Z", {
      uid: "u-6",
      kind: "Pod",
      name: "huge",
      decision: "over-limit",
      allowed: false,
      reason: "request body exceeds 3145728 bytes",
      controls: [],
    }),
  ].join("\n") + "\n";

/** Audits one run into packageDir (SOURCE_DATE_EPOCH = its time) and appends it to the ledger. */
export async function recordScenarioRun(
  run: ScenarioRun,
  work: string,
  packageDir: string,
  ledgerDir: string,
  options: { signKey?: string | KeyObject; location?: string; signPackages?: boolean },
): Promise<void> {
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, "pod.yaml"), pod(run.manifest));
  writeFileSync(join(work, "waivers.yaml"), WAIVERS);
  const previous = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = String(Date.parse(run.time) / 1000);
  try {
    const report = await audit(["pod.yaml"], {
      cwd: work,
      config: false,
      controls: SCENARIO_CONTROLS,
      ...(run.waivers ? { waivers: ["waivers.yaml"] } : {}),
    });
    const { files } = renderEvidencePackage(report, {
      paths: ["pod.yaml"],
      git: { commit: run.commit, dirty: false },
      ...(options.signPackages === false ? {} : { signKey: options.signKey }),
    });
    writeEvidencePackage(packageDir, files);
  } finally {
    if (previous === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = previous;
  }
  appendRun(packageDir, ledgerDir, { signKey: options.signKey, location: options.location ?? packageDir });
}

/**
 * Builds the scenario's ledger in ledgerDir: every run's package in `<work>/packages/<n>` (or linked
 * to `location(n)`), then the admission log in 1-hour intervals. `signPackages: false` signs the
 * ledger records only, so that the packages can be rebuilt byte for byte without the key.
 */
export async function buildScenarioLedger(
  ledgerDir: string,
  work: string,
  options: { signKey?: string | KeyObject; location?: (n: number) => string; signPackages?: boolean } = {},
): Promise<void> {
  for (const [i, run] of SCENARIO_RUNS.entries()) {
    const n = i + 1;
    await recordScenarioRun(run, join(work, "src"), join(work, "packages", String(n)), ledgerDir, {
      signKey: options.signKey,
      signPackages: options.signPackages,
      ...(options.location ? { location: options.location(n) } : {}),
    });
  }
  appendAdmission(SCENARIO_DECISION_LOG, ledgerDir, { intervalMs: 3_600_000, signKey: options.signKey, source: "webhook.log" });
}
