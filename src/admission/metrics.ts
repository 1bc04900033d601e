/** Prometheus text exposition (format 0.0.4) of the webhook's counters and latency histogram. */
import type { DecisionRecord } from "./types.js";

/** Latency buckets in seconds: fine below the 25 ms target, coarse up to the webhook timeout. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escape(v)}"`)
    .join(",")}}`;

class Counter {
  private values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(l: Record<string, string>, by = 1): void {
    const key = labels(l);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of [...this.values].sort(([a], [b]) => a.localeCompare(b))) lines.push(`${this.name}${key} ${value}`);
    return lines;
  }
}

export class Metrics {
  readonly requests = new Counter("erlmcp_audit_admission_requests_total", "HTTP requests to the webhook by path and status code.");
  readonly decisions = new Counter("erlmcp_audit_admission_decisions_total", "Admission decisions by outcome.");
  readonly controls = new Counter(
    "erlmcp_audit_admission_control_findings_total",
    "Findings at admission by control and action (deny, warn, waived, error).",
  );
  readonly reloads = new Counter("erlmcp_audit_admission_config_reloads_total", "Config and waiver reloads by result.");
  readonly failures = new Counter(
    "erlmcp_audit_admission_evaluation_failures_total",
    "Requests whose evaluation failed, by cause (request, webhook, overload) and whether they were allowed.",
  );
  readonly workers = new Counter(
    "erlmcp_audit_admission_worker_events_total",
    "Evaluation workers replaced, spares started, starts failed.",
  );
  private readonly buckets = BUCKETS.map(() => 0);
  private count = 0;
  private sum = 0;

  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    for (const [i, bound] of BUCKETS.entries()) if (seconds <= bound) this.buckets[i]!++;
  }

  record(record: DecisionRecord): void {
    this.decisions.inc({ decision: record.decision });
    for (const c of record.controls) this.controls.inc({ control: c.id, action: c.action });
    if (record.causedBy) this.failures.inc({ cause: record.causedBy, allowed: String(record.allowed) });
  }

  render(): string {
    const name = "erlmcp_audit_admission_review_duration_seconds";
    const histogram = [
      `# HELP ${name} Time from request received to response sent for POST /validate.`,
      `# TYPE ${name} histogram`,
      ...BUCKETS.map((b, i) => `${name}_bucket{le="${b}"} ${this.buckets[i]}`),
      `${name}_bucket{le="+Inf"} ${this.count}`,
      `${name}_sum ${this.sum}`,
      `${name}_count ${this.count}`,
    ];
    return (
      [
        ...this.requests.render(),
        ...this.decisions.render(),
        ...this.controls.render(),
        ...this.reloads.render(),
        ...this.failures.render(),
        ...this.workers.render(),
        ...histogram,
      ].join("\n") + "\n"
    );
  }
}
