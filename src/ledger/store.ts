/**
 * The ledger on disk: `<ledger>/records/<sequence>.json` (8 digits, zero-padded) and, when signed,
 * `<sequence>.sig` — the detached Ed25519 signature of the JSON file's bytes, base64, the same scheme
 * as an evidence package's manifest.sig. Records are only ever added: a new file is linked into place
 * under its final name, which fails if another writer took that number first.
 */
import { refuseLinkedFolder } from "../tools/write-output.js";
import { createPrivateKey, randomBytes, sign, type KeyObject } from "node:crypto";
import { type Dirent, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sha256 } from "../digest.js";
import { UsageError } from "../errors.js";
import { publicKeySha256 } from "../evidence/verify.js";
import { recordProblem } from "./shape.js";
import { LEDGER_SCHEMA_VERSION, type AdmissionEntry, type LedgerRecord, type RunEntry, type StoredRecord } from "./types.js";

/** Folder of the record files inside a ledger folder. */
export const RECORDS_DIR = "records";
const NAME = /^(\d{8})\.(json|sig)$/;

/** The file name of a record: its sequence, 8 digits. */
export const recordFile = (sequence: number): string => `${String(sequence).padStart(8, "0")}.json`;
/** The file name of a record's detached signature. */
export const signatureFile = (sequence: number): string => `${String(sequence).padStart(8, "0")}.sig`;

/** The record files of a ledger (sorted by number), the signature files, and every other entry of records/. */
export function listLedger(ledgerDir: string): { records: string[]; signatures: Set<string>; other: string[] } {
  const dir = join(ledgerDir, RECORDS_DIR);
  let entries: Dirent[] = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const records: string[] = [];
  const signatures = new Set<string>();
  const other: string[] = [];
  for (const e of entries) {
    const m = NAME.exec(e.name);
    if (!m || !e.isFile()) other.push(e.isSymbolicLink() ? `${e.name} (a symbolic link)` : e.name);
    else if (m[2] === "json") records.push(e.name);
    else signatures.add(e.name);
  }
  return { records: records.sort(), signatures, other: other.sort() };
}

/** Reads one record file; a file that is not a ledger record is an error naming it. */
export function readRecord(ledgerDir: string, file: string): StoredRecord {
  const bytes = readFileSync(join(ledgerDir, RECORDS_DIR, file));
  let record: LedgerRecord;
  try {
    record = JSON.parse(bytes.toString("utf8")) as LedgerRecord;
  } catch (error) {
    throw new UsageError(`${join(RECORDS_DIR, file)} is not valid JSON: ${(error as Error).message}`);
  }
  const problem = recordProblem(record);
  if (problem) throw new UsageError(`${join(RECORDS_DIR, file)} is not a ledger record: ${problem}.`);
  return { record, file, sha256: sha256(bytes) };
}

/** Every record, in file order, without checking the chain (see verifyLedger). */
export function readLedger(ledgerDir: string): StoredRecord[] {
  return listLedger(ledgerDir).records.map((f) => readRecord(ledgerDir, f));
}

/** An Ed25519 private key from PEM text or a KeyObject. */
export function signingKey(key: string | KeyObject): KeyObject {
  const k = typeof key === "string" ? createPrivateKey(key) : key;
  if (k.asymmetricKeyType !== "ed25519") throw new UsageError("The signing key must be an Ed25519 private key (PEM).");
  return k;
}

/** What appending wrote. */
export interface Appended {
  sequence: number;
  file: string;
  sha256: string;
  signed: boolean;
}

type Body = { type: "run"; run: RunEntry; recordedAt: string } | { type: "admission"; admission: AdmissionEntry; recordedAt: string };

/**
 * Appends a record after the last one: sequence and previousSha256 from the last record file, signed
 * when a key is given. Refuses a ledger whose records/ holds anything but record and signature files.
 */
export function appendRecord(ledgerDir: string, body: Body, options: { signKey?: string | KeyObject } = {}): Appended {
  const key = options.signKey === undefined ? undefined : signingKey(options.signKey);
  const dir = join(ledgerDir, RECORDS_DIR);
  refuseLinkedFolder(ledgerDir, "--ledger");
  mkdirSync(dir, { recursive: true });
  if (lstatSync(ledgerDir).isSymbolicLink() || lstatSync(dir).isSymbolicLink())
    throw new UsageError(`${ledgerDir}: the ledger folder or its records/ is a symbolic link: refusing to write through it.`);
  for (let attempt = 0; attempt < 5; attempt++) {
    const { records, other } = listLedger(ledgerDir);
    if (other.length) throw new UsageError(`${dir} holds files that are not ledger records (${other.join(", ")}): run \`ledger verify\`.`);
    const last = records.length ? readRecord(ledgerDir, records[records.length - 1]!) : undefined;
    const sequence = last ? last.record.sequence + 1 : 1;
    const { type, recordedAt } = body;
    const record: LedgerRecord = {
      schemaVersion: LEDGER_SCHEMA_VERSION,
      sequence,
      previousSha256: last ? last.sha256 : null,
      recordedAt,
      ...(key ? { signer: { algorithm: "Ed25519" as const, publicKeySha256: publicKeySha256(key) } } : {}),
      ...(type === "run" ? { type, run: body.run } : { type, admission: body.admission }),
    } as LedgerRecord;
    const text = JSON.stringify(record, null, 2) + "\n";
    if (!placeNew(dir, recordFile(sequence), text)) continue;
    if (key && !placeNew(dir, signatureFile(sequence), sign(null, Buffer.from(text), key).toString("base64") + "\n"))
      throw new UsageError(`${join(dir, signatureFile(sequence))} already existed before its record: run \`ledger verify\`.`);
    return { sequence, file: join(RECORDS_DIR, recordFile(sequence)), sha256: sha256(text), signed: !!key };
  }
  throw new UsageError(`${ledgerDir}: other writers keep appending; try again.`);
}

/** Writes content to a temporary file and hard-links it under name, never replacing: false when name exists (another writer won). */
function placeNew(dir: string, name: string, content: string): boolean {
  const temp = join(dirname(dir), `.${name}.${randomBytes(6).toString("hex")}.tmp`);
  writeFileSync(temp, content, { flag: "wx", mode: 0o644 });
  try {
    linkSync(temp, join(dir, name));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}
