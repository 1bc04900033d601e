/**
 * The checks of a waiver file a JSON Schema cannot express: real calendar dates, an approval that is
 * not in the future, a lifetime within the config's `waiverPolicy`, and a waiver that pins its resource
 * (kind, namespace and name, or a non-empty label selector) and, when given, a non-empty `data`.
 * Like the catalog checks they skip what has the wrong shape: the schema check reports it.
 */
import { CLUSTER_SCOPED_KINDS } from "../k8s/cluster-scoped.js";
import { calendarDate, daysBetween, parseCalendarDate } from "./dates.js";
import type { Issue, KeyPath } from "./validate-yaml.js";
import { isRecord } from "../records.js";

/** Lifetime of a waiver when the config sets no `waiverPolicy.maxLifetimeDays`. */
export const DEFAULT_MAX_WAIVER_LIFETIME_DAYS = 365;

/** What a waiver is checked against: the audit date and the longest lifetime the config allows. */
export interface WaiverPolicy {
  now: Date;
  maxLifetimeDays: number;
}

type Data = Record<string, unknown>;

function dateIssue(path: KeyPath, value: unknown): Issue[] {
  if (typeof value !== "string" || parseCalendarDate(value) !== undefined) return [];
  return [{ path, problem: `must be a real calendar date YYYY-MM-DD, got ${JSON.stringify(value)}` }];
}

/** Approved not after the audit date; expires not before approved nor more than the policy's lifetime after it. */
function lifetimeIssues(path: KeyPath, waiver: Data, policy: WaiverPolicy): Issue[] {
  const { approved, expires } = waiver;
  if (typeof approved !== "string" || parseCalendarDate(approved) === undefined) return [];
  const today = calendarDate(policy.now);
  const issues: Issue[] = [];
  if (daysBetween(today, approved)! > 0)
    issues.push({
      path: [...path, "approved"],
      problem: `${approved} is after the audit date ${today}: a waiver cannot be approved in the future`,
    });
  if (typeof expires !== "string" || parseCalendarDate(expires) === undefined) return issues;
  const lifetime = daysBetween(approved, expires)!;
  if (lifetime < 0) issues.push({ path: [...path, "expires"], problem: `${expires} is before the approval date ${approved}` });
  else if (lifetime > policy.maxLifetimeDays)
    issues.push({
      path: [...path, "expires"],
      problem: `${expires} is ${lifetime} days after the approval date ${approved}; a waiver may run at most ${policy.maxLifetimeDays} days (waiverPolicy.maxLifetimeDays)`,
    });
  return issues;
}

const PIN_HINT =
  'name the resource with kind, namespace and name (namespace: "" for an object written without one; none for a cluster-scoped kind), or select it with a non-empty `labels`';

/** The resource must be pinned: a match-all or match-most selector is a waiver for everything. */
function matchIssues(path: KeyPath, match: unknown): Issue[] {
  if (!isRecord(match)) return [];
  const { kind, namespace, name, labels } = match;
  if (isRecord(labels) && Object.keys(labels).length === 0)
    return [{ path: [...path, "labels"], problem: `an empty label selector matches every resource; ${PIN_HINT}` }];
  if (isRecord(labels)) return [];
  const named = typeof kind === "string" && kind !== "" && typeof name === "string" && name !== "";
  if (named && (typeof namespace === "string" || CLUSTER_SCOPED_KINDS.has(kind as string))) return [];
  if (named) return [{ path: [...path, "namespace"], problem: `required for the namespaced kind ${String(kind)}; ${PIN_HINT}` }];
  const given = Object.keys(match).filter((k) => match[k] !== undefined);
  const what = given.length ? `only ${given.join(", ")} given` : "it is empty";
  return [{ path, problem: `does not pin a resource (${what}): ${PIN_HINT}` }];
}

/** Issues of a parsed waiver file that its JSON Schema cannot find. */
export function waiverPolicyIssues(file: unknown, policy: WaiverPolicy): Issue[] {
  if (!isRecord(file) || !Array.isArray(file.waivers)) return [];
  return file.waivers.flatMap((waiver, i): Issue[] => {
    if (!isRecord(waiver)) return [];
    const path: KeyPath = ["waivers", i];
    return [
      ...dateIssue([...path, "approved"], waiver.approved),
      ...dateIssue([...path, "expires"], waiver.expires),
      ...lifetimeIssues(path, waiver, policy),
      ...matchIssues([...path, "match"], waiver.match),
      ...(isRecord(waiver.data) && Object.keys(waiver.data).length === 0
        ? [
            {
              path: [...path, "data"],
              problem: "an empty `data` narrows nothing: name the finding's detail (e.g. { container: app }) or remove it",
            },
          ]
        : []),
    ];
  });
}
