/** `erlmcp-audit evidence` and `erlmcp-audit verify`: the auditor evidence package. */
import { existsSync } from "node:fs";
import { readRegularFile } from "../tools/read-regular-file.js";
import { Command, Option } from "commander";
import { UsageError } from "../errors.js";
import { pathsToAudit } from "./default-inputs.js";
import { PROFILES } from "../config/profiles.js";
import type { VerifyResult } from "../evidence/package.js";
import { cleanText } from "../reporters/sanitize.js";
import { appendedLine } from "./ledger.js";
import { FRAMEWORK_IDS } from "../evidence/frameworks.js";
import { SEVERITIES, type FrameworkId, type Severity } from "../types.js";

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  setExit: (code: number) => void;
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").filter(Boolean)];

/** A PEM key given as a file path or inline (environment variables often carry the PEM text itself). */
export function readKey(value: string, what: string): string {
  if (value.includes("-----BEGIN")) return value;
  if (!existsSync(value)) throw new UsageError(`${what} ${value} does not exist: give a PEM file.`);
  try {
    return readRegularFile(value).toString("utf8");
  } catch (error) {
    throw new UsageError(`${what} ${value}: ${(error as Error).message}`);
  }
}

export function addEvidenceCommands(program: Command, io: Io, argv: readonly string[] = []): void {
  program
    .command("evidence")
    .description("audit and write the evidence package (report.html, OSCAL, CSV, evidence.json, signed manifest.json)")
    .argument("[paths...]", "files, directories, Helm charts or Kustomize overlays (default: the paths of the config's `inputs`)")
    .option("--out <dir>", "folder for the package (created; must hold nothing else); required")
    .addOption(new Option("--framework <framework>", "soc2, iso27001 or all").choices([...FRAMEWORK_IDS, "all"]).default("all"))
    .option("--sign-key <file>", "Ed25519 private key (PEM) to sign manifest.json (default: $ERLMCP_AUDIT_SIGN_KEY, a path or PEM text)")
    .option("-c, --config <file>", "config file (default: nearest erlmcp-audit.config.yaml above the first path)")
    .option("--no-config", "use no config file")
    .addOption(new Option("-p, --profile <profile>", "profile for every input (overrides the config)").choices([...PROFILES]))
    .addOption(new Option("--fail-on <severity>", "lowest severity that fails the run").choices([...SEVERITIES]))
    .addOption(new Option("--values <file>", "Helm values file to render (repeatable)").argParser(collect))
    .addOption(new Option("--waivers <file>", "extra waiver file (repeatable)").argParser(collect))
    .option("--no-git", "do not record the Git commit of the inputs")
    .option("--ledger <dir>", "also append the run to this ledger (signed with the same key); see `erlmcp-audit ledger`")
    .option("--location <url>", "with --ledger: where the package will be archived, recorded as its link (default: --out)")
    .option("--cluster", "audit what a cluster holds instead of paths (see erlmcp-audit cluster); marked as its observed state")
    .option("--kubeconfig <file>", "with --cluster: kubeconfig (default: $KUBECONFIG, ~/.kube/config, else in-cluster)")
    .option("--context <name>", "with --cluster: kubeconfig context")
    .addOption(new Option("-n, --namespace <ns>", "with --cluster: read only this namespace (repeatable)").argParser(collect))
    .action(async (given: string[], opts, command: Command) => {
      const { createEvidencePackage } = await import("../evidence/package.js");
      const { appendRun } = await import("../ledger/index.js");
      // Not a requiredOption: commander would demand it of `evidence period` too.
      if (!opts.out) command.error("error: required option '--out <dir>' not specified", { code: "commander.missingMandatoryOptionValue" });
      if (!opts.cluster && (opts.kubeconfig || opts.context || opts.namespace))
        throw new UsageError("--kubeconfig, --context and --namespace need --cluster");
      if (opts.cluster && given.length) throw new UsageError("give either paths or --cluster, not both");
      const { paths, config } = opts.cluster
        ? { paths: [], config: opts.config as string | false | undefined }
        : pathsToAudit(given, opts, io);
      const keySource = opts.signKey ?? process.env.ERLMCP_AUDIT_SIGN_KEY;
      const frameworks: FrameworkId[] = opts.framework === "all" ? [...FRAMEWORK_IDS] : [opts.framework as FrameworkId];
      const pkg = await createEvidencePackage(paths, opts.out, {
        config,
        profile: opts.profile,
        failOn: opts.failOn as Severity | undefined,
        values: opts.values,
        waivers: opts.waivers,
        frameworks,
        git: opts.git !== false,
        commandLine: [...argv],
        ...(keySource ? { signKey: readKey(keySource, "Signing key") } : {}),
        ...(opts.cluster ? { cluster: { kubeconfig: opts.kubeconfig, context: opts.context, namespaces: opts.namespace } } : {}),
      });
      const s = pkg.report.summary;
      io.stdout(
        `Wrote ${Object.keys(pkg.files).length} files to ${opts.out}${keySource ? " (signed)" : ""}: ` +
          `${s.resources} resources, ${s.failed} failing, ${s.waived} waived; evidence ${pkg.evidence.id}\n`,
      );
      if (opts.ledger)
        io.stdout(
          appendedLine(
            appendRun(opts.out, opts.ledger, {
              location: opts.location ?? opts.out,
              ...(keySource ? { signKey: readKey(keySource, "Signing key") } : {}),
            }),
          ),
        );
      io.setExit(s.exitCode);
    });

  program
    .command("verify")
    .description(
      "check an evidence package: every path inside the folder, every file's SHA-256 and, with --public-key, the Ed25519 signature; " +
        "without a key the package is UNVERIFIED and the exit code is 1 unless --allow-unverified",
    )
    .argument("<dir>", "the package folder")
    .option("--public-key <file>", "Ed25519 public key (PEM) the package must be signed with")
    .option("--allow-unverified", "exit 0 for an intact package whose signature was not checked (no key given, or not signed)")
    .action(async (dir: string, opts: { publicKey?: string; allowUnverified?: boolean }) => {
      const { verifyEvidencePackage } = await import("../evidence/package.js");
      if (!existsSync(dir)) throw new UsageError(`${dir} does not exist.`);
      const result = verifyEvidencePackage(dir, opts.publicKey ? { publicKey: readKey(opts.publicKey, "Public key") } : {});
      for (const e of result.errors) io.stderr(`✗ ${cleanText(e)}\n`);
      const verified = result.signature === "valid";
      const ok = result.ok && (verified || opts.allowUnverified === true);
      io.stdout(`${signatureLine(result)}\n`);
      if (!result.ok) io.stdout(`FAILED: ${result.files} files listed\n`);
      else if (!ok)
        io.stdout(
          `FAILED: ${result.files} files intact, but nothing proves who produced them: give --public-key (or --allow-unverified)\n`,
        );
      else io.stdout(`OK: ${result.files} files intact${verified ? "" : " (signature UNVERIFIED, accepted with --allow-unverified)"}\n`);
      io.setExit(ok ? 0 : 1);
    });
}

/** What the signature check established, with the key fingerprint (SHA-256 of the SPKI DER) it rests on. */
function signatureLine(result: VerifyResult): string {
  const signer = result.signerKeySha256
    ? `the manifest names signer key SHA-256 ${result.signerKeySha256}`
    : "the manifest names no signer key";
  switch (result.signature) {
    case "valid":
      return `signature valid, checked with public key SHA-256 ${result.checkedKeySha256}`;
    case "invalid":
      return `signature INVALID for public key SHA-256 ${result.checkedKeySha256} (${signer})`;
    case "unchecked":
      return `signature UNVERIFIED: no --public-key given; ${signer} (a claim until checked: compare it with a key you trust)`;
    case "absent":
      return "signature UNVERIFIED: the package is not signed";
  }
}
