/** The evidence package on disk: render, hash, sign, write, verify. */
import { refuseLinkedFolder } from "../tools/write-output.js";
import { createPrivateKey, sign, type KeyObject } from "node:crypto";
import { lstatSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { audit, type AuditOptions } from "../audit.js";
import { auditCluster } from "../cluster/audit.js";
import type { ClusterSource } from "../cluster/client.js";
import { sha256 } from "../digest.js";
import { UsageError } from "../errors.js";
import { TOOL_PINS } from "../tools/find.js";
import { replaceFile } from "../tools/replace-file.js";
import type { AuditReport } from "../report/types.js";
import type { FrameworkId } from "../types.js";
import { renderControlsCsv, renderFindingsCsv } from "./csv.js";
import { FRAMEWORK_IDS, loadFramework } from "./frameworks.js";
import { renderHtml } from "./html.js";
import { buildEvidence, type Evidence, type ObservedState } from "./model.js";
import { MANIFEST_FILE, PACKAGE_FILES, SIGNATURE_FILE } from "./files.js";
import { gitState } from "./git.js";
import { renderOscal } from "./oscal.js";
import { publicKeySha256 } from "./verify.js";
import { runIdentity, type RunIdentity } from "./custody.js";

export { MANIFEST_FILE, PACKAGE_FILES, SIGNATURE_FILE, gitState };
export { publicKeySha256, verifyEvidencePackage, type VerifyResult } from "./verify.js";

export interface EvidencePackageOptions extends AuditOptions {
  /** Frameworks of the control matrix; default both. */
  frameworks?: FrameworkId[];
  /** Ed25519 private key (PEM text or KeyObject) for the detached signature of manifest.json. */
  signKey?: string | KeyObject;
  /** Record the Git commit of the inputs (default true). */
  git?: boolean;
  /** The command line as given, recorded in the evidence (chain of custody). */
  commandLine?: string[];
  /** Environment the CI run identity is read from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Audit what this cluster holds instead of the paths (which must then be empty). */
  cluster?: ClusterSource & { namespaces?: string[] };
}

export interface EvidencePackage {
  report: AuditReport;
  evidence: Evidence;
  /** File name → content, manifest.json (and manifest.sig) included. */
  files: Record<string, string>;
}

/** Renders every file of the package from the audit report. Pure apart from reading the framework lists. */
export function renderEvidencePackage(
  report: AuditReport,
  options: {
    paths: string[];
    frameworks?: FrameworkId[];
    signKey?: string | KeyObject;
    git?: Evidence["scope"]["git"];
    commandLine?: string[];
    ci?: RunIdentity;
    observed?: ObservedState;
  },
): EvidencePackage {
  const key =
    options.signKey === undefined ? undefined : typeof options.signKey === "string" ? createPrivateKey(options.signKey) : options.signKey;
  if (key && key.asymmetricKeyType !== "ed25519") throw new Error("The signing key must be an Ed25519 private key (PEM).");
  const renderers: Record<string, string> = {};
  if (report.units.some((u) => u.kind === "helm")) renderers.helm = TOOL_PINS.helm;
  if (report.units.some((u) => u.kind === "kustomize")) renderers.kustomize = TOOL_PINS.kustomize;
  const evidence = buildEvidence(report, {
    paths: options.paths,
    ...(options.observed ? { observed: options.observed } : {}),
    frameworks: (options.frameworks ?? FRAMEWORK_IDS).map((id) => loadFramework(id)),
    git: options.git,
    renderers,
    run: {
      ...(options.commandLine ? { commandLine: [...options.commandLine] } : {}),
      ...(options.ci ? { ci: options.ci } : {}),
      ...(key ? { signer: { algorithm: "Ed25519" as const, publicKeySha256: publicKeySha256(key) } } : {}),
    },
  });
  const files: Record<string, string> = {
    "assessment-results.json": renderOscal(evidence),
    "controls.csv": renderControlsCsv(evidence),
    "evidence.json": JSON.stringify(evidence, null, 2) + "\n",
    "findings.csv": renderFindingsCsv(evidence),
    "report.html": renderHtml(evidence),
  };
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
            publicKeySha256: publicKeySha256(key),
          },
        }
      : {}),
  };
  files[MANIFEST_FILE] = JSON.stringify(manifest, null, 2) + "\n";
  if (key) files[SIGNATURE_FILE] = sign(null, Buffer.from(files[MANIFEST_FILE]), key).toString("base64") + "\n";
  return { report, evidence, files };
}

/**
 * Writes the files into dir. Refuses a folder holding files of its own, and a folder or file that is a
 * symbolic link (or not a regular file): nothing is written through a link. Each file is written to
 * a new temporary file opened with O_EXCL|O_NOFOLLOW, then renamed over its name, so a link planted
 * meanwhile is replaced, never followed. Replaces a previous package.
 */
export function writeEvidencePackage(dir: string, files: Record<string, string>): void {
  ensureRealFolder(dir);
  const ours = new Set<string>([...PACKAGE_FILES, MANIFEST_FILE, SIGNATURE_FILE]);
  const entries = readdirSync(dir, { withFileTypes: true });
  const foreign = entries.filter((e) => !ours.has(e.name)).map((e) => e.name);
  if (foreign.length)
    throw new UsageError(`${dir} holds files that are not part of an evidence package (${foreign.join(", ")}): choose an empty folder.`);
  for (const e of entries)
    if (!e.isFile())
      throw new UsageError(
        `${join(dir, e.name)} is ${e.isSymbolicLink() ? "a symbolic link" : "not a regular file"}: refusing to write through it; remove it or choose another --out.`,
      );
  for (const name of ours) if (!(name in files)) rmSync(join(dir, name), { force: true });
  for (const [name, content] of Object.entries(files)) replaceFile(join(dir, name), content);
}

/** Creates dir if needed; refuses it when it is a symbolic link or not a folder. */
function ensureRealFolder(dir: string): void {
  refuseLinkedFolder(dir, "--out");
  const stats = lstatOrUndefined(dir) ?? (mkdirSync(dir, { recursive: true }), lstatSync(dir));
  if (stats.isSymbolicLink())
    throw new UsageError(`--out ${dir} is a symbolic link: refusing to write through it; give the real folder or a new one.`);
  if (!stats.isDirectory()) throw new UsageError(`--out ${dir} exists and is not a folder.`);
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** Audits the paths (or with `cluster`, what the cluster holds) and writes the evidence package into outDir. */
export async function createEvidencePackage(
  paths: string[],
  outDir: string,
  options: EvidencePackageOptions = {},
): Promise<EvidencePackage> {
  const { frameworks, signKey, git, commandLine, env, cluster, ...auditOptions } = options;
  const cwd = options.cwd ?? process.cwd();
  if (cluster && paths.length) throw new UsageError("give either paths or a cluster to audit, not both");
  const read = cluster ? await auditCluster({ ...auditOptions, ...cluster }) : undefined;
  const report = read?.report ?? (await audit(paths, auditOptions));
  const observed = read && {
    context: read.snapshot.context,
    server: read.snapshot.server,
    observedAt: read.snapshot.observedAt,
    statement: `observed state of ${read.snapshot.context} at ${read.snapshot.observedAt}`,
  };
  const pkg = renderEvidencePackage(report, {
    paths: read ? [`cluster://${read.snapshot.context}`] : paths.map((p) => (p === "-" ? p : relative(cwd, resolve(cwd, p)) || ".")),
    ...(observed ? { observed } : {}),
    frameworks,
    signKey,
    git: git === false || read ? undefined : gitState(paths, cwd),
    ...(commandLine ? { commandLine } : {}),
    ci: runIdentity(env),
  });
  writeEvidencePackage(resolve(cwd, outDir), pkg.files);
  return pkg;
}
