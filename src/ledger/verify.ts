/**
 * Verifying a ledger: every record file is a record, numbered without gap, holds its own number,
 * carries the SHA-256 of the record before it and, with a public key, is signed by that key. Each
 * problem names the record it was found at.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { publicKeySha256 } from "../evidence/verify.js";
import { listLedger, readRecord, recordFile, RECORDS_DIR, signatureFile } from "./store.js";
import type { StoredRecord } from "./types.js";

/** The outcome of verifyLedger. */
export interface LedgerVerifyResult {
  /** The chain is intact and no signature is invalid or missing where a key was given. */
  ok: boolean;
  /** One line per problem, each naming the record (`record 5 (records/00000005.json)`). */
  errors: string[];
  /** valid: every record signed by the key given; unchecked: no key given; invalid: see errors. */
  signatures: "valid" | "invalid" | "unchecked";
  records: StoredRecord[];
  /** The last record: its number and SHA-256 (compare with a head you noted earlier to detect a removed tail). */
  head?: { sequence: number; sha256: string };
  checkedKeySha256?: string;
}

const label = (file: string, sequence?: number) => `record ${sequence ?? Number(file.slice(0, 8))} (${RECORDS_DIR}/${file})`;

/** Checks the chain and, with publicKey, every record's signature; `expectHead` is a record SHA-256 the ledger must still hold. */
export function verifyLedger(ledgerDir: string, options: { publicKey?: string | KeyObject; expectHead?: string } = {}): LedgerVerifyResult {
  if (!existsSync(join(ledgerDir, RECORDS_DIR))) throw new UsageError(`${ledgerDir} is not a ledger: it has no ${RECORDS_DIR}/ folder.`);
  const key =
    options.publicKey === undefined
      ? undefined
      : typeof options.publicKey === "string"
        ? createPublicKey(options.publicKey)
        : options.publicKey;
  if (key && key.asymmetricKeyType !== "ed25519") throw new UsageError("The public key must be an Ed25519 public key (PEM).");
  const checkedKeySha256 = key ? publicKeySha256(key) : undefined;
  const { records: files, signatures, other } = listLedger(ledgerDir);
  const errors = other.map((name) => `${RECORDS_DIR}/${name}: not a record or signature file (a ledger holds NNNNNNNN.json and .sig only)`);
  const records: StoredRecord[] = [];
  let previous: StoredRecord | undefined;
  let expected = 1;
  let signatureFailed = false;
  for (const file of files) {
    const number = Number(file.slice(0, 8));
    if (number !== expected)
      errors.push(
        number > expected
          ? `${number - expected === 1 ? `record ${expected} is` : `records ${expected}–${number - 1} are`} missing: ${label(file)} follows ${previous ? label(previous.file) : "the start of the ledger"}`
          : `${label(file)}: numbered out of order`,
      );
    expected = number + 1;
    let stored: StoredRecord;
    try {
      stored = readRecord(ledgerDir, file);
    } catch (error) {
      errors.push(`${label(file)}: altered: ${(error as Error).message}`);
      previous = undefined;
      continue;
    }
    const { record } = stored;
    if (record.sequence !== number)
      errors.push(`${label(file)}: holds record ${record.sequence}: moved or reordered (a record's number is part of its signed content)`);
    const wantPrevious = number === 1 ? null : previous?.sha256;
    if (wantPrevious !== undefined && record.previousSha256 !== wantPrevious)
      errors.push(
        number === 1
          ? `${label(file)}: the first record names a previous record (${record.previousSha256}): records before it were removed, or it was inserted`
          : `${label(file)}: its previousSha256 ${record.previousSha256} is not the SHA-256 ${wantPrevious} of ${label(previous!.file)}: one of the two was altered, or a record between them was inserted or removed`,
      );
    if (key) {
      const sig = signatureFile(number);
      signatureFailed ||= !signatures.has(sig);
      if (!signatures.has(sig)) errors.push(`${label(file)}: not signed (${RECORDS_DIR}/${sig} missing)`);
      else {
        const signature = Buffer.from(readFileSync(join(ledgerDir, RECORDS_DIR, sig), "utf8").trim(), "base64");
        const bytes = readFileSync(join(ledgerDir, RECORDS_DIR, file));
        const valid = verify(null, bytes, key, signature);
        const otherSigner = valid && record.signer !== undefined && record.signer.publicKeySha256 !== checkedKeySha256;
        signatureFailed ||= !valid || otherSigner;
        if (!valid)
          errors.push(
            `${label(file)}: altered or inserted: its signature does not match its content and the public key ${checkedKeySha256}`,
          );
        else if (otherSigner)
          errors.push(`${label(file)}: names signer key ${record.signer!.publicKeySha256}, but is signed with ${checkedKeySha256}`);
      }
    }
    records.push(stored);
    previous = stored;
  }
  for (const sig of signatures)
    if (!files.includes(recordFile(Number(sig.slice(0, 8)))))
      errors.push(`${label(recordFile(Number(sig.slice(0, 8))))}: removed (its signature ${RECORDS_DIR}/${sig} is still there)`);
  const last = records[records.length - 1];
  const head = last ? { sequence: last.record.sequence, sha256: last.sha256 } : undefined;
  if (options.expectHead !== undefined && !records.some((r) => r.sha256 === options.expectHead))
    errors.push(
      `the ledger no longer holds the record with SHA-256 ${options.expectHead}: records were removed or altered since that head was noted`,
    );
  return {
    ok: errors.length === 0,
    errors,
    signatures: !key ? "unchecked" : signatureFailed ? "invalid" : "valid",
    records,
    ...(head ? { head } : {}),
    ...(checkedKeySha256 ? { checkedKeySha256 } : {}),
  };
}
