/** What a record file must hold before anything reads its fields: the shape of LedgerRecord, checked field by field. */
import { LEDGER_SCHEMA_VERSION } from "./types.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === "string";
const isTime = (v: unknown) => isString(v) && !Number.isNaN(Date.parse(v));
const isHex64 = (v: unknown) => isString(v) && /^[0-9a-f]{64}$/.test(v);
const arrayOf = (v: unknown, item: (x: unknown) => boolean) => Array.isArray(v) && v.every(item);

function runProblem(run: unknown): string | undefined {
  if (!isObject(run)) return "no `run` object";
  const pkg = run.package;
  if (!isObject(pkg) || !isString(pkg.id) || !isString(pkg.location) || !isHex64(pkg.manifestSha256))
    return "`run.package` needs an id, a location and a manifestSha256";
  if (!arrayOf(pkg.files, (f) => isObject(f) && isString(f.path) && isHex64(f.sha256)))
    return "`run.package.files` needs a path and SHA-256 per file";
  if (!isObject(run.tool) || !isString(run.tool.version)) return "`run.tool` needs a version";
  const scope = run.scope;
  if (!isObject(scope) || !arrayOf(scope.paths, isString) || !arrayOf(scope.profiles, isString))
    return "`run.scope` needs paths and profiles";
  if (!isObject(run.summary) || typeof run.summary.exitCode !== "number") return "`run.summary` needs an exitCode";
  if (!arrayOf(run.controls, (c) => isObject(c) && isString(c.id) && isString(c.status)))
    return "`run.controls` needs an id and status per control";
  const resource = (r: unknown) => isObject(r) && isString(r.kind) && isString(r.namespace) && isString(r.name);
  if (!arrayOf(run.findings, (f) => isObject(f) && isString(f.controlId) && isString(f.status) && isString(f.unit) && resource(f.resource)))
    return "`run.findings` needs a control, status, unit and resource per finding";
  if (!arrayOf(run.waivers, (w) => isObject(w) && isString(w.id) && isString(w.state)))
    return "`run.waivers` needs an id and state per waiver";
  if (run.git !== undefined && (!isObject(run.git) || !isString(run.git.commit))) return "`run.git` needs a commit";
  return undefined;
}

function admissionProblem(admission: unknown): string | undefined {
  if (!isObject(admission) || !isTime(admission.from) || !isTime(admission.to)) return "`admission` needs from and to times";
  if (!isObject(admission.decisions) || !Object.values(admission.decisions).every((n) => typeof n === "number"))
    return "`admission.decisions` needs a count per decision";
  if (!arrayOf(admission.controls, (c) => isObject(c) && isString(c.id) && isString(c.action) && typeof c.count === "number"))
    return "`admission.controls` needs an id, action and count per entry";
  if (!arrayOf(admission.denied, (d) => isObject(d) && isTime(d.time) && arrayOf(d.controls, isString)))
    return "`admission.denied` needs a time and controls per object";
  return undefined;
}

/** Why a parsed file is not a ledger record this version can read, or undefined when it is one. */
export function recordProblem(record: unknown): string | undefined {
  if (!isObject(record)) return "not a JSON object";
  const major = LEDGER_SCHEMA_VERSION.split(".")[0];
  if (!isString(record.schemaVersion) || record.schemaVersion.split(".")[0] !== major)
    return `schemaVersion ${JSON.stringify(record.schemaVersion)} is not ${major}.x`;
  if (!Number.isSafeInteger(record.sequence) || (record.sequence as number) < 1) return "no sequence number";
  if (record.previousSha256 !== null && !isHex64(record.previousSha256)) return "previousSha256 is neither null nor a SHA-256";
  if (!isTime(record.recordedAt)) return "recordedAt is not a time";
  if (record.type === "run") return runProblem(record.run);
  if (record.type === "admission") return admissionProblem(record.admission);
  return "type is neither run nor admission";
}
