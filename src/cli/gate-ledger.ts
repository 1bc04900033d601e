/**
 * The CI gate's `--ledger <dir>`: the run's evidence package is kept in the ledger folder
 * (`packages/<evidence id>/`) and a record of it is appended, so that a period report covers the gate
 * runs themselves, not only the runs of `erlmcp-audit evidence`.
 */
import { join, relative, resolve } from "node:path";
import { gitState, renderEvidencePackage, writeEvidencePackage } from "../evidence/package.js";
import { runIdentity } from "../evidence/custody.js";
import { appendRun, readLedger, type Appended } from "../ledger/index.js";
import { MANIFEST_FILE } from "../evidence/files.js";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type { AuditReport } from "../report/types.js";
import { readKey } from "./evidence.js";

/** Writes the package of `report` under `<ledger>/packages/` and appends its record (signed with the key of --sign-key or $ERLMCP_AUDIT_SIGN_KEY). */
export function appendGateRun(
  report: AuditReport,
  options: { ledger: string; paths: readonly string[]; commandLine: readonly string[]; signKey?: string; cwd?: string },
): Appended | { already: number } {
  const cwd = options.cwd ?? process.cwd();
  const keySource = options.signKey ?? process.env.ERLMCP_AUDIT_SIGN_KEY;
  const signKey = keySource ? readKey(keySource, "Signing key") : undefined;
  const pkg = renderEvidencePackage(report, {
    paths: options.paths.map((p) => (p === "-" ? p : relative(cwd, resolve(cwd, p)) || ".")),
    git: gitState([...options.paths], cwd),
    commandLine: [...options.commandLine],
    ci: runIdentity(),
    ...(signKey ? { signKey } : {}),
  });
  // The same package twice (a re-run of one commit at one SOURCE_DATE_EPOCH) is recorded once.
  const manifestSha256 = createHash("sha256").update(pkg.files[MANIFEST_FILE]!).digest("hex");
  const held = existsSync(resolve(cwd, options.ledger))
    ? readLedger(resolve(cwd, options.ledger)).find(
        (r) => r.record.type === "run" && r.record.run.package.manifestSha256 === manifestSha256,
      )
    : undefined;
  if (held) return { already: held.record.sequence };
  const dir = join(resolve(cwd, options.ledger), "packages", pkg.evidence.id);
  writeEvidencePackage(dir, pkg.files);
  return appendRun(dir, resolve(cwd, options.ledger), {
    location: relative(resolve(cwd, options.ledger), dir),
    ...(signKey ? { signKey } : {}),
  });
}
