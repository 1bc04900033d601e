/** The evidence package on disk: render, hash, sign, write, verify. */
import { execFileSync } from "node:child_process";
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { audit, type AuditOptions } from "../audit.js";
import { TOOL_PINS } from "../tools/find.js";
import type { AuditReport } from "../report/types.js";
import type { FrameworkId } from "../types.js";
import { renderControlsCsv, renderFindingsCsv } from "./csv.js";
import { FRAMEWORK_IDS, loadFramework } from "./frameworks.js";
import { renderHtml } from "./html.js";
import { buildEvidence, type Evidence } from "./model.js";
import { renderOscal } from "./oscal.js";

export const MANIFEST_FILE = "manifest.json";
export const SIGNATURE_FILE = "manifest.sig";
export const PACKAGE_FILES = ["assessment-results.json", "controls.csv", "evidence.json", "findings.csv", "report.html"] as const;

export interface EvidencePackageOptions extends AuditOptions {
  /** Frameworks of the control matrix; default both. */
  frameworks?: FrameworkId[];
  /** Ed25519 private key (PEM text or KeyObject) for the detached signature of manifest.json. */
  signKey?: string | KeyObject;
  /** Record the Git commit of the inputs (default true). */
  git?: boolean;
}

export interface EvidencePackage {
  report: AuditReport;
  evidence: Evidence;
  /** File name → content, manifest.json (and manifest.sig) included. */
  files: Record<string, string>;
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** The commit and worktree state of the repository holding the inputs, or undefined outside Git. */
export function gitState(paths: readonly string[], cwd: string): { commit: string; dirty: boolean } | undefined {
  const first = resolve(cwd, paths.find((p) => p !== "-") ?? ".");
  const dir = existsSync(first) && statSync(first).isDirectory() ? first : dirname(first);
  const git = (...args: string[]) =>
    execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    const commit = git("rev-parse", "HEAD");
    const dirty = git("status", "--porcelain", "--", ...paths.filter((p) => p !== "-").map((p) => resolve(cwd, p))) !== "";
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

/** Renders every file of the package from the audit report. Pure apart from reading the framework lists. */
export function renderEvidencePackage(
  report: AuditReport,
  options: { paths: string[]; frameworks?: FrameworkId[]; signKey?: string | KeyObject; git?: Evidence["scope"]["git"] },
): EvidencePackage {
  const renderers: Record<string, string> = {};
  if (report.units.some((u) => u.kind === "helm")) renderers.helm = TOOL_PINS.helm;
  if (report.units.some((u) => u.kind === "kustomize")) renderers.kustomize = TOOL_PINS.kustomize;
  const evidence = buildEvidence(report, {
    paths: options.paths,
    frameworks: (options.frameworks ?? FRAMEWORK_IDS).map((id) => loadFramework(id)),
    git: options.git,
    renderers,
  });
  const files: Record<string, string> = {
    "assessment-results.json": renderOscal(evidence),
    "controls.csv": renderControlsCsv(evidence),
    "evidence.json": JSON.stringify(evidence, null, 2) + "\n",
    "findings.csv": renderFindingsCsv(evidence),
    "report.html": renderHtml(evidence),
  };
  const key =
    options.signKey === undefined ? undefined : typeof options.signKey === "string" ? createPrivateKey(options.signKey) : options.signKey;
  if (key && key.asymmetricKeyType !== "ed25519") throw new Error("The signing key must be an Ed25519 private key (PEM).");
  const manifest = {
    schemaVersion: "1.0.0",
    package: evidence.id,
    generatedAt: evidence.generatedAt,
    algorithm: "SHA-256",
    files: Object.entries(files).map(([path, content]) => ({ path, sha256: sha256(content), bytes: Buffer.byteLength(content) })),
    ...(key
      ? {
          signature: {
            algorithm: "Ed25519",
            file: SIGNATURE_FILE,
            publicKeySha256: sha256(createPublicKey(key).export({ type: "spki", format: "der" })),
          },
        }
      : {}),
  };
  files[MANIFEST_FILE] = JSON.stringify(manifest, null, 2) + "\n";
  if (key) files[SIGNATURE_FILE] = sign(null, Buffer.from(files[MANIFEST_FILE]), key).toString("base64") + "\n";
  return { report, evidence, files };
}

/** Writes the files into dir. Refuses a folder holding files of its own; replaces a previous package. */
export function writeEvidencePackage(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  const ours = new Set<string>([...PACKAGE_FILES, MANIFEST_FILE, SIGNATURE_FILE]);
  const foreign = readdirSync(dir).filter((f) => !ours.has(f));
  if (foreign.length)
    throw new Error(`${dir} holds files that are not part of an evidence package (${foreign.join(", ")}): choose an empty folder.`);
  for (const name of ours) if (!(name in files)) rmSync(join(dir, name), { force: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

/** Audits the paths and writes the evidence package into outDir. */
export async function createEvidencePackage(
  paths: string[],
  outDir: string,
  options: EvidencePackageOptions = {},
): Promise<EvidencePackage> {
  const { frameworks, signKey, git, ...auditOptions } = options;
  const cwd = options.cwd ?? process.cwd();
  const report = await audit(paths, auditOptions);
  const pkg = renderEvidencePackage(report, {
    paths: paths.map((p) => (p === "-" ? p : relative(cwd, resolve(cwd, p)) || ".")),
    frameworks,
    signKey,
    git: git === false ? undefined : gitState(paths, cwd),
  });
  writeEvidencePackage(resolve(cwd, outDir), pkg.files);
  return pkg;
}

export interface VerifyResult {
  ok: boolean;
  errors: string[];
  /** valid/invalid: checked against the public key; unchecked: signed but no key given; absent: not signed. */
  signature: "valid" | "invalid" | "unchecked" | "absent";
  files: number;
}

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name)).split("\\").join("/")],
  );
}

/** Recomputes every hash of manifest.json and checks the signature; any changed, missing or extra file fails. */
export function verifyEvidencePackage(dir: string, options: { publicKey?: string | KeyObject } = {}): VerifyResult {
  const errors: string[] = [];
  const manifestPath = join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) return { ok: false, errors: [`${manifestPath} is missing`], signature: "absent", files: 0 };
  const manifestBytes = readFileSync(manifestPath);
  let manifest: { files?: Array<{ path: string; sha256: string; bytes: number }>; signature?: { file: string; publicKeySha256: string } };
  try {
    manifest = JSON.parse(manifestBytes.toString("utf8"));
  } catch (e) {
    return { ok: false, errors: [`${manifestPath} is not valid JSON: ${(e as Error).message}`], signature: "absent", files: 0 };
  }
  const listed = new Map((manifest.files ?? []).map((f) => [f.path, f]));
  for (const [path, entry] of listed) {
    const file = join(dir, path);
    if (!existsSync(file)) {
      errors.push(`${path}: missing`);
      continue;
    }
    const data = readFileSync(file);
    if (data.length !== entry.bytes || sha256(data) !== entry.sha256)
      errors.push(`${path}: changed (SHA-256 ${sha256(data)}, manifest says ${entry.sha256})`);
  }
  const signed = existsSync(join(dir, SIGNATURE_FILE));
  for (const path of listFiles(dir))
    if (!listed.has(path) && path !== MANIFEST_FILE && !(signed && path === SIGNATURE_FILE)) errors.push(`${path}: not in the manifest`);

  let signature: VerifyResult["signature"] = signed ? "unchecked" : "absent";
  if (manifest.signature && !signed) errors.push(`${SIGNATURE_FILE}: missing, but the manifest says the package is signed`);
  if (options.publicKey !== undefined) {
    const key = typeof options.publicKey === "string" ? createPublicKey(options.publicKey) : options.publicKey;
    if (!signed) errors.push(`${SIGNATURE_FILE}: missing, the package is not signed`);
    else {
      const sig = Buffer.from(readFileSync(join(dir, SIGNATURE_FILE), "utf8").trim(), "base64");
      signature = verify(null, manifestBytes, key, sig) ? "valid" : "invalid";
      if (signature === "invalid") errors.push(`${SIGNATURE_FILE}: the signature does not match manifest.json and this public key`);
    }
  }
  return { ok: errors.length === 0, errors, signature, files: listed.size };
}
