/** OSCAL 1.1.3 documents of a period: assessment-results over [start, end], and a POA&M for findings open at its end. */
import { uuidv5 } from "../uuid.js";
import { runResult } from "./csv.js";
import type { FailureEpisode, Period } from "./model.js";

const NS = "urn:erlmcp-audit";
/** OSCAL strings may not start or end with whitespace nor span lines. */
const line = (s: string) => s.replace(/\s+/g, " ").trim() || "-";
const prop = (name: string, value: string | number) => ({ name, ns: NS, value: line(String(value)) });
/** OSCAL tokens: letters, digits, `.`, `_`, `-`; a control ID already is one. */
const periodKey = (p: Period) => `period:${p.start}:${p.end}:${p.ledger.head?.sha256 ?? "empty"}`;
const episodeKey = (e: FailureEpisode) => `${e.scope}\0${e.controlId}\0${e.unit}\0${e.resource}\0${e.opened.sequence}`;

function metadata(period: Period, title: string) {
  return {
    title,
    "last-modified": period.end,
    version: period.ledger.head?.sha256 ?? "empty-ledger",
    "oscal-version": "1.1.3",
    props: [
      prop("period-start", period.start),
      prop("period-end", period.end),
      prop("ledger-records", period.ledger.records),
      ...(period.ledger.head ? [prop("ledger-head-sha256", period.ledger.head.sha256)] : []),
      prop("ledger-signatures", period.ledger.signatures),
    ],
  };
}

/** assessment-results.json: one result spanning the period; an observation per run and admission total, a finding per control. */
export function renderPeriodAssessmentResults(period: Period): string {
  const id = (kind: string, key: string) => uuidv5(`${periodKey(period)}:${kind}:${key}`);
  const tool = id("component", "tool");
  const sampled = new Set(period.sample.runs.map((r) => r.sequence));
  const runObservation = new Map<number, string>();
  const observations: Array<Record<string, unknown>> = period.runs.map((r) => {
    const { run } = r.record;
    const uuid = id("observation", `run:${r.sequence}`);
    runObservation.set(r.sequence, uuid);
    return {
      uuid,
      title: `Run ${r.sequence} at ${r.record.recordedAt}${run.git ? ` (commit ${run.git.commit.slice(0, 12)})` : ""}`,
      description: line(
        `Gate run on ${run.scope.paths.join(", ")}: ${run.summary.resources} resources, ${run.summary.failed} failing, ${run.summary.waived} waived, ${run.summary.errors} errors; exit code ${run.summary.exitCode}.`,
      ),
      props: [
        prop("ledger-record", r.sequence),
        prop("record-sha256", r.recordSha256),
        prop("result", runResult(r)),
        prop("package-id", run.package.id),
        ...(run.git ? [prop("git-commit", run.git.commit)] : []),
        ...(sampled.has(r.sequence) ? [prop("sampled", "true")] : []),
      ],
      methods: ["TEST"],
      "relevant-evidence": [
        {
          href: encodeURI(run.package.location) || "#",
          description: `Evidence package ${run.package.id}, manifest.json SHA-256 ${run.package.manifestSha256}.`,
        },
      ],
      collected: r.record.recordedAt,
    };
  });
  if (period.admission.intervals)
    observations.push({
      uuid: id("observation", "admission"),
      title: `Admission webhook decisions in ${period.admission.intervals} recorded interval(s)`,
      description: line(
        `Decisions: ${Object.entries(period.admission.decisions)
          .map(([d, n]) => `${n} ${d}`)
          .join(", ")}. ${period.admission.denied.length} denied object(s) listed in admission-denied-objects.csv.`,
      ),
      props: period.admission.controls.map((c) => prop("denials", `${c.controlId}=${c.deny}`)),
      methods: ["TEST"],
      collected: period.end,
    });
  if (period.gaps.length)
    observations.push({
      uuid: id("observation", "gaps"),
      title: `${period.gaps.reduce((n, g) => n + g.days, 0)} day(s) of the period without a run`,
      description: line(period.gaps.map((g) => (g.days === 1 ? g.from : `${g.from} to ${g.to}`)).join(", ")),
      methods: ["EXAMINE"],
      collected: period.end,
    });

  const controls = new Map<string, { runs: number; failing: number[] }>();
  for (const r of period.runs)
    for (const c of r.record.run.controls) {
      if (c.status === "disabled") continue;
      const entry = controls.get(c.id) ?? { runs: 0, failing: [] };
      entry.runs++;
      if (c.status === "not-satisfied") entry.failing.push(r.sequence);
      controls.set(c.id, entry);
    }
  const openControls = new Set(period.open.map((e) => e.controlId));
  const findings = [...controls]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([controlId, c]) => ({
      uuid: id("finding", controlId),
      title: `${controlId} over the period`,
      description: line(
        `Ran in ${c.runs} run(s); not satisfied in ${c.failing.length}${openControls.has(controlId) ? "; findings still open at the end of the period (see the plan of action and milestones)" : ""}.`,
      ),
      props: [prop("control-id", controlId), prop("runs", c.runs), prop("failing-runs", c.failing.length)],
      target: {
        type: "objective-id",
        "target-id": controlId,
        status: { state: c.failing.length ? "not-satisfied" : "satisfied", reason: c.failing.length ? "fail" : "pass" },
      },
      ...(c.failing.length ? { "related-observations": c.failing.map((s) => ({ "observation-uuid": runObservation.get(s)! })) } : {}),
    }));
  const risks = period.waivers.map((w) => ({
    uuid: id("risk", w.id),
    title: `Waiver ${w.id}: ${w.control}`,
    description: line(w.justification),
    statement: line(
      `Owner ${w.owner}; approved by ${w.approver} on ${w.approved}; ticket ${w.ticket}; expires ${w.expires}; in force in ${w.runs} run(s) from ${w.firstSeen} to ${w.lastSeen}.`,
    ),
    props: [prop("waiver-id", w.id), prop("control-id", w.control), prop("waiver-states", w.states.join(" "))],
    status: w.states.includes("expired") ? "open" : "deviation-approved",
    deadline: `${w.expires}T23:59:59Z`,
  }));

  const plan = id("resource", "assessment-plan");
  const document = {
    "assessment-results": {
      uuid: id("document", "assessment-results"),
      metadata: metadata(period, `erlmcp-audit period assessment results ${period.label}`),
      "import-ap": { href: `#${plan}`, remarks: "No separate assessment plan: every gate run of the period, read from the ledger." },
      results: [
        {
          uuid: id("result", "period"),
          title: `Operation of the automated configuration checks, ${period.label}`,
          description: line(
            `${period.runs.length} gate run(s) in the period; sample of ${period.sample.size} drawn with seed ${period.sample.seed} (${period.sample.rule}).`,
          ),
          start: period.start,
          end: period.end,
          props: [
            prop("sample-seed", period.sample.seed),
            prop("sample-size", period.sample.size),
            prop("population", period.sample.population),
          ],
          "local-definitions": {
            components: [
              {
                uuid: tool,
                type: "software",
                title: "erlmcp-audit",
                description: "Gate runs and the admission webhook recorded in the ledger.",
                status: { state: "operational" },
              },
            ],
          },
          "reviewed-controls": { "control-selections": [{ description: "Every control that ran in the period.", "include-all": {} }] },
          ...(observations.length ? { observations } : {}),
          ...(risks.length ? { risks } : {}),
          ...(findings.length ? { findings } : {}),
        },
      ],
      "back-matter": {
        resources: [
          {
            uuid: plan,
            title: "Assessment plan: the gate runs and admission intervals of the ledger",
            description: line(
              `Ledger of ${period.ledger.records} record(s), head ${period.ledger.head ? `record ${period.ledger.head.sequence} SHA-256 ${period.ledger.head.sha256}` : "none"}.`,
            ),
          },
        ],
      },
    },
  };
  return JSON.stringify(document, null, 2) + "\n";
}

/** plan-of-action-and-milestones.json: one item per failing finding still open at the end of the period. */
export function renderPeriodPoam(period: Period): string {
  const id = (kind: string, key: string) => uuidv5(`${periodKey(period)}:poam:${kind}:${key}`);
  const document = {
    "plan-of-action-and-milestones": {
      uuid: id("document", "poam"),
      metadata: metadata(period, `erlmcp-audit plan of action and milestones at ${period.end}`),
      "system-id": { "identifier-type": "https://ietf.org/rfc/rfc4122", id: uuidv5(`system:${period.ledger.head?.sha256 ?? "empty"}`) },
      "poam-items": period.open.length
        ? period.open.map((e) => ({
            uuid: id("item", episodeKey(e)),
            title: `${e.controlId}: ${e.resource} (${e.unit})`,
            description: line(
              `Failing since run ${e.opened.sequence} at ${e.opened.record.recordedAt}${e.opened.record.run.git ? ` (commit ${e.opened.record.run.git.commit})` : ""}; still failing at the end of the period. ${e.message}`,
            ),
            props: [
              prop("control-id", e.controlId),
              prop("severity", e.severity),
              prop("unit", e.unit),
              prop("opened-record", e.opened.sequence),
            ],
          }))
        : [
            {
              title: "No finding open at the end of the period",
              description: "Every failing finding of the period was fixed or waived by the last run of its scope.",
            },
          ],
    },
  };
  return JSON.stringify(document, null, 2) + "\n";
}
