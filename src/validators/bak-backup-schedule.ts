import type { K8sObject, Violation } from "../types.js";
import { closestPath, type FieldPath } from "../k8s/field-path.js";
import { refOf } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const LABEL = "erlmcp.io/backup-for";

const MACROS: Readonly<Record<string, number>> = {
  "@hourly": 60,
  "@daily": 1440,
  "@midnight": 1440,
  "@weekly": 10080,
  "@monthly": 44640,
  "@yearly": 527040,
  "@annually": 527040,
};

function fieldValues(field: string, top: number): number[] | undefined {
  const all = Array.from({ length: top + 1 }, (_, i) => i);
  if (field === "*") return all;
  const step = /^\*\/(\d+)$/.exec(field);
  if (step) {
    const n = Number(step[1]);
    return n > 0 ? all.filter((v) => v % n === 0) : undefined;
  }
  if (!/^\d+(,\d+)*$/.test(field)) return undefined;
  const values = field.split(",").map(Number);
  return values.every((v) => v <= top) ? values : undefined;
}

/** Largest gap in minutes between consecutive runs over a day (wrapping past midnight); undefined if unsupported. */
export function scheduleInterval(schedule: string): number | undefined {
  if (Object.hasOwn(MACROS, schedule.trim())) return MACROS[schedule.trim()];
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5 || !fields.slice(2).every((f) => f === "*" || f === "?")) return undefined;
  const minutes = fieldValues(fields[0]!, 59);
  const hours = fieldValues(fields[1]!, 23);
  if (!minutes || !hours) return undefined;
  const times = [...new Set(hours.flatMap((h) => minutes.map((m) => h * 60 + m)))].sort((a, b) => a - b);
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  return Math.max(...gaps, times[0]! + 1440 - times[times.length - 1]!);
}

const spec = (obj: K8sObject): Record<string, any> => (obj.spec ?? {}) as Record<string, any>;
const isSet = (value: unknown) => value !== undefined && value !== null;

export const bakBackupSchedule: SetValidator = {
  id: "bak-backup-schedule",
  scope: "set",
  validate(resources, params) {
    const rpoMinutes: number = params.rpoMinutes ?? 60;
    const objects = resources.map((r) => r.object);
    const backups = objects.filter((o) => o.kind === "CronJob" && isSet(o.metadata?.labels?.[LABEL]));
    const out: Violation[] = [];
    for (const sts of objects.filter((o) => o.kind === "StatefulSet")) {
      const templates = spec(sts).volumeClaimTemplates;
      if (!Array.isArray(templates) || templates.length === 0) continue;
      const { namespace, name } = refOf(sts);
      if (!backups.some((c) => refOf(c).namespace === namespace && c.metadata?.labels?.[LABEL] === name))
        out.push({
          messageId: "noBackupCronJob",
          data: { statefulset: name },
          resource: refOf(sts),
          path: ["spec", "volumeClaimTemplates"],
        });
    }
    for (const cron of backups) {
      const resource = refOf(cron);
      const add = (messageId: string, path: FieldPath, extra: Violation["data"] = {}) =>
        out.push({ messageId, data: { cronjob: resource.name, ...extra }, resource, path: [...closestPath(cron, path)] });
      const s = spec(cron);
      const job = (s.jobTemplate?.spec ?? {}) as Record<string, unknown>;
      const policy = s.concurrencyPolicy ?? "Allow";
      if (policy !== "Forbid") add("concurrencyNotForbid", ["spec", "concurrencyPolicy"], { policy });
      if (!isSet(s.startingDeadlineSeconds)) add("missingStartingDeadline", ["spec", "startingDeadlineSeconds"]);
      if (!isSet(job.backoffLimit)) add("missingBackoffLimit", ["spec", "jobTemplate", "spec", "backoffLimit"]);
      if (!isSet(job.activeDeadlineSeconds)) add("missingActiveDeadline", ["spec", "jobTemplate", "spec", "activeDeadlineSeconds"]);
      if (s.suspend === true) add("backupSuspended", ["spec", "suspend"]);
      const schedule = typeof s.schedule === "string" ? s.schedule : "";
      const interval = scheduleInterval(schedule);
      if (interval === undefined) add("scheduleUnparseable", ["spec", "schedule"], { schedule });
      else if (interval > rpoMinutes) add("scheduleExceedsRpo", ["spec", "schedule"], { schedule, interval, rpoMinutes });
    }
    return out;
  },
};
