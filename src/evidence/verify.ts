/**
 * Verifying an evidence package: every path the manifest lists stays inside the folder, every
 * required file is there and unchanged, nothing else is, and the signature matches the key given.
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, type Stats } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { sha256 } from "../digest.js";
import { MANIFEST_FILE, PACKAGE_FILES, SIGNATURE_FILE } from "./files.js";

export interface VerifyResult {
  /**
   * The files are exactly those of the manifest, unchanged, and the signature is not invalid. This
   * says nothing about who made the package unless `signature` is `"valid"`.
   */
  ok: boolean;
  errors: string[];
  /** valid/invalid: checked against the public key; unchecked: signed but no key given; absent: not signed. */
  signature: "valid" | "invalid" | "unchecked" | "absent";
  files: number;
  /** SHA-256 of the signer's public key (SPKI DER, hex) as the manifest states it: a claim until `signature` is valid. */
  signerKeySha256?: string;
  /** SHA-256 of the public key (SPKI DER, hex) the signature was checked against. */
  checkedKeySha256?: string;
}

interface ManifestEntry {
  path: string;
  sha256: string;
  bytes: number;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** SHA-256 (hex) of a public key's SPKI DER encoding: the fingerprint `verify` prints and the manifest records. */
export const publicKeySha256 = (key: KeyObject) =>
  sha256((key.type === "public" ? key : createPublicKey(key)).export({ type: "spki", format: "der" }));

const lstat = (path: string): Stats | undefined => {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
};

/** Why a manifest path may not be read, or undefined when it is a plain relative path inside dir. */
function unsafePath(dir: string, path: string): string | undefined {
  if (path === "" || path.includes("\0") || path.includes("\\")) return "not a plain relative path";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "an absolute path";
  if (path.split("/").some((s) => s === "" || s === "." || s === "..")) return "leaves the package folder or is not normalised";
  if (path === MANIFEST_FILE || path === SIGNATURE_FILE) return "the manifest cannot list itself or its signature";
  const inside = relative(resolve(dir), resolve(dir, path));
  if (inside.startsWith("..") || inside.split(sep).join("/") !== path) return "leaves the package folder";
  return undefined;
}

/** Why the file at dir/path may not be read (a symbolic link on the way, not a regular file), or undefined. */
function unsafeFile(dir: string, path: string): string | undefined {
  const parts = path.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const stats = lstat(join(dir, ...parts.slice(0, i)));
    if (!stats) return "missing";
    if (stats.isSymbolicLink()) return `${parts.slice(0, i).join("/")} is a symbolic link`;
    if (i === parts.length && !stats.isFile()) return "not a regular file";
  }
  return undefined;
}

/** Files under dir (relative, `/`-separated); symbolic links are listed as such, never followed. */
function listFiles(dir: string, base = dir): Array<{ path: string; link: boolean }> {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = relative(base, join(dir, e.name)).split(sep).join("/");
    return e.isDirectory() ? listFiles(join(dir, e.name), base) : [{ path, link: e.isSymbolicLink() }];
  });
}

/** The manifest's file list, or the reason it cannot be used. */
function manifestEntries(manifest: unknown): ManifestEntry[] | string {
  const files = (manifest as { files?: unknown } | null)?.files;
  if (!Array.isArray(files)) return "has no `files` list";
  for (const f of files as Array<Partial<ManifestEntry> | null>)
    if (
      typeof f?.path !== "string" ||
      typeof f.sha256 !== "string" ||
      !HEX64.test(f.sha256) ||
      typeof f.bytes !== "number" ||
      !Number.isSafeInteger(f.bytes) ||
      f.bytes < 0
    )
      return "has a `files` entry without a path, a SHA-256 (64 hex digits) and a byte count";
  return files as ManifestEntry[];
}

/**
 * Recomputes every hash of manifest.json and checks the signature. Fails on a changed, missing or
 * extra file, a required file the manifest does not list, a manifest path outside the folder, and
 * any symbolic link in the folder.
 */
export function verifyEvidencePackage(dir: string, options: { publicKey?: string | KeyObject } = {}): VerifyResult {
  const fail = (error: string): VerifyResult => ({ ok: false, errors: [error], signature: "absent", files: 0 });
  const manifestPath = join(dir, MANIFEST_FILE);
  const manifestProblem = unsafeFile(dir, MANIFEST_FILE);
  if (manifestProblem) return fail(`${manifestPath}: ${manifestProblem}`);
  const manifestBytes = readFileSync(manifestPath);
  let manifest: { signature?: { publicKeySha256?: unknown } };
  try {
    manifest = JSON.parse(manifestBytes.toString("utf8"));
  } catch (e) {
    return fail(`${manifestPath} is not valid JSON: ${(e as Error).message}`);
  }
  const entries = manifestEntries(manifest);
  if (typeof entries === "string") return fail(`${manifestPath} ${entries}`);

  const errors: string[] = [];
  const listed = new Set<string>();
  for (const entry of entries) {
    if (listed.has(entry.path)) errors.push(`${entry.path}: listed twice in the manifest`);
    listed.add(entry.path);
    const problem = unsafePath(dir, entry.path) ?? unsafeFile(dir, entry.path);
    if (problem) {
      errors.push(`${entry.path}: ${problem}`);
      continue;
    }
    const data = readFileSync(join(dir, entry.path));
    if (data.length !== entry.bytes || sha256(data) !== entry.sha256)
      errors.push(`${entry.path}: changed (SHA-256 ${sha256(data)}, manifest says ${entry.sha256})`);
  }
  for (const required of PACKAGE_FILES) if (!listed.has(required)) errors.push(`${required}: required, but not in the manifest`);

  const signatureStats = lstat(join(dir, SIGNATURE_FILE));
  const signed = signatureStats !== undefined;
  for (const { path, link } of listFiles(dir)) {
    if (link) errors.push(`${path}: a symbolic link (a package holds regular files only)`);
    else if (!listed.has(path) && path !== MANIFEST_FILE && path !== SIGNATURE_FILE) errors.push(`${path}: not in the manifest`);
  }
  if (signatureStats && !signatureStats.isFile() && !signatureStats.isSymbolicLink()) errors.push(`${SIGNATURE_FILE}: not a regular file`);

  const declared = manifest.signature?.publicKeySha256;
  if (manifest.signature && (typeof declared !== "string" || !HEX64.test(declared)))
    errors.push(`${MANIFEST_FILE}: signature.publicKeySha256 is not a SHA-256 (64 hex digits)`);
  const signerKeySha256 = typeof declared === "string" && HEX64.test(declared) ? declared : undefined;
  if (manifest.signature && !signed) errors.push(`${SIGNATURE_FILE}: missing, but the manifest says the package is signed`);

  let signature: VerifyResult["signature"] = signed ? "unchecked" : "absent";
  let checkedKeySha256: string | undefined;
  if (options.publicKey !== undefined) {
    const key = typeof options.publicKey === "string" ? createPublicKey(options.publicKey) : options.publicKey;
    if (key.asymmetricKeyType !== "ed25519") throw new Error("The public key must be an Ed25519 public key (PEM).");
    checkedKeySha256 = publicKeySha256(key);
    if (!signed) errors.push(`${SIGNATURE_FILE}: missing, the package is not signed`);
    else if (signatureStats.isFile()) {
      const sig = Buffer.from(readFileSync(join(dir, SIGNATURE_FILE), "utf8").trim(), "base64");
      signature = verify(null, manifestBytes, key, sig) ? "valid" : "invalid";
      if (signature === "invalid") errors.push(`${SIGNATURE_FILE}: the signature does not match manifest.json and this public key`);
      else if (signerKeySha256 !== undefined && signerKeySha256 !== checkedKeySha256)
        errors.push(`${MANIFEST_FILE}: names signer key SHA-256 ${signerKeySha256}, but the package is signed with ${checkedKeySha256}`);
    } else signature = "invalid";
  }
  return {
    ok: errors.length === 0,
    errors,
    signature,
    files: listed.size,
    ...(signerKeySha256 ? { signerKeySha256 } : {}),
    ...(checkedKeySha256 ? { checkedKeySha256 } : {}),
  };
}
