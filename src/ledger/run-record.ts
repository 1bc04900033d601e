/** A gate run's ledger entry, read from its evidence package (which must verify first). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import type { Evidence } from "../evidence/model.js";
import { MANIFEST_FILE, SIGNATURE_FILE } from "../evidence/files.js";
import { verifyEvidencePackage } from "../evidence/verify.js";
import { sha256 } from "../digest.js";
import type { RunEntry } from "./types.js";

/**
 * Reads the package in dir: its files must match its manifest (else a UsageError listing why). The
 * entry holds the SHA-256 of every file, so a package fetched later can be checked against the ledger.
 */
export function runEntryFromPackage(dir: string, location: string): { run: RunEntry; recordedAt: string } {
  const check = verifyEvidencePackage(dir);
  if (!check.ok) throw new UsageError(`${dir} is not an intact evidence package:\n${check.errors.join("\n")}`);
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), "utf8")) as {
    files: Array<{ path: string; sha256: string; bytes: number }>;
  };
  const evidence = JSON.parse(readFileSync(join(dir, "evidence.json"), "utf8")) as Evidence;
  const file = (path: string) => {
    const bytes = readFileSync(join(dir, path));
    return { path, sha256: sha256(bytes), bytes: bytes.length };
  };
  const signed = check.signature !== "absent";
  const files = [
    ...manifest.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes })),
    file(MANIFEST_FILE),
    ...(signed ? [file(SIGNATURE_FILE)] : []),
  ].sort((a, b) => a.path.localeCompare(b.path));
  const run: RunEntry = {
    package: {
      id: evidence.id,
      location,
      manifestSha256: file(MANIFEST_FILE).sha256,
      ...(signed
        ? {
            signature: {
              sha256: file(SIGNATURE_FILE).sha256,
              ...(check.signerKeySha256 ? { signerKeySha256: check.signerKeySha256 } : {}),
            },
          }
        : {}),
      files,
    },
    tool: { name: evidence.tool.name, version: evidence.tool.version, policyBundleSha256: evidence.tool.policyBundleSha256 },
    ...(evidence.scope.git ? { git: { commit: evidence.scope.git.commit, dirty: evidence.scope.git.dirty } } : {}),
    ...(evidence.run?.ci ? { ci: evidence.run.ci } : {}),
    scope: {
      paths: evidence.scope.paths,
      ...(evidence.scope.config ? { config: evidence.scope.config } : {}),
      configFiles: evidence.scope.configFiles.map((f) => ({ path: f.path, role: f.role, sha256: f.sha256 })),
      failOn: evidence.scope.failOn,
      profiles: evidence.scope.profiles,
      units: evidence.units.map((u) => ({ id: u.id, profile: u.profile })),
    },
    summary: {
      exitCode: evidence.summary.exitCode,
      resources: evidence.summary.resources,
      failed: evidence.summary.failed,
      waived: evidence.summary.waived,
      errors: evidence.summary.errors,
    },
    controls: evidence.controls.map((c) => ({
      id: c.id,
      severity: c.severity,
      status: c.status,
      evaluated: c.evaluated,
      failed: c.failed,
      waived: c.waived,
      errors: c.errors,
    })),
    findings: evidence.findings.map((f) => ({
      controlId: f.controlId,
      status: f.status,
      severity: f.severity,
      unit: f.unit,
      resource: { kind: f.resource.kind, namespace: f.resource.namespace, name: f.resource.name },
      location: f.location,
      message: f.message,
      ...(f.waiver ? { waiver: f.waiver } : {}),
    })),
    waivers: evidence.waivers.map((w) => ({
      id: w.id,
      control: w.control,
      state: w.state,
      owner: w.owner,
      approver: w.approver,
      approved: w.approved,
      ticket: w.ticket,
      expires: w.expires,
      justification: w.justification,
      matched: w.matched,
    })),
  };
  return { run, recordedAt: evidence.generatedAt };
}
