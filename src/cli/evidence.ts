/** `erlmcp-audit evidence` and `erlmcp-audit verify`: the auditor evidence package. */
import { existsSync, readFileSync } from "node:fs";
import { Command, Option } from "commander";
import { UsageError } from "../errors.js";
import { PROFILES } from "../config/profiles.js";
import { createEvidencePackage, verifyEvidencePackage } from "../evidence/package.js";
import { FRAMEWORK_IDS } from "../evidence/frameworks.js";
import { SEVERITIES, type FrameworkId, type Severity } from "../types.js";

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  setExit: (code: number) => void;
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").filter(Boolean)];

/** A PEM key given as a file path or inline (environment variables often carry the PEM text itself). */
function readKey(value: string, what: string): string {
  if (value.includes("-----BEGIN")) return value;
  if (!existsSync(value)) throw new UsageError(`${what} ${value} does not exist: give a PEM file.`);
  return readFileSync(value, "utf8");
}

export function addEvidenceCommands(program: Command, io: Io): void {
  program
    .command("evidence")
    .description("audit and write the evidence package (report.html, OSCAL, CSV, evidence.json, signed manifest.json)")
    .argument("[paths...]", "files, directories, Helm charts or Kustomize overlays", ["."])
    .requiredOption("--out <dir>", "folder for the package (created; must hold nothing else)")
    .addOption(new Option("--framework <framework>", "soc2, iso27001 or all").choices([...FRAMEWORK_IDS, "all"]).default("all"))
    .option("--sign-key <file>", "Ed25519 private key (PEM) to sign manifest.json (default: $ERLMCP_AUDIT_SIGN_KEY, a path or PEM text)")
    .option("-c, --config <file>", "config file (default: nearest erlmcp-audit.config.yaml above the first path)")
    .addOption(new Option("-p, --profile <profile>", "profile for every input (overrides the config)").choices([...PROFILES]))
    .addOption(new Option("--fail-on <severity>", "lowest severity that fails the run").choices([...SEVERITIES]))
    .addOption(new Option("--values <file>", "Helm values file to render (repeatable)").argParser(collect))
    .addOption(new Option("--waivers <file>", "extra waiver file (repeatable)").argParser(collect))
    .option("--no-git", "do not record the Git commit of the inputs")
    .action(async (paths: string[], _opts, command: Command) => {
      const opts = command.optsWithGlobals();
      const keySource = opts.signKey ?? process.env.ERLMCP_AUDIT_SIGN_KEY;
      const frameworks: FrameworkId[] = opts.framework === "all" ? [...FRAMEWORK_IDS] : [opts.framework as FrameworkId];
      const pkg = await createEvidencePackage(paths, opts.out, {
        config: opts.config === false ? false : opts.config,
        profile: opts.profile,
        failOn: opts.failOn as Severity | undefined,
        values: opts.values,
        waivers: opts.waivers,
        frameworks,
        git: opts.git !== false,
        ...(keySource ? { signKey: readKey(keySource, "Signing key") } : {}),
      });
      const s = pkg.report.summary;
      io.stdout(
        `Wrote ${Object.keys(pkg.files).length} files to ${opts.out}${keySource ? " (signed)" : ""}: ` +
          `${s.resources} resources, ${s.failed} failing, ${s.waived} waived; evidence ${pkg.evidence.id}\n`,
      );
      io.setExit(s.exitCode);
    });

  program
    .command("verify")
    .description("check an evidence package: every file's SHA-256 and, with --public-key, the Ed25519 signature")
    .argument("<dir>", "the package folder")
    .option("--public-key <file>", "Ed25519 public key (PEM) the package must be signed with")
    .action((dir: string, opts: { publicKey?: string }) => {
      if (!existsSync(dir)) throw new UsageError(`${dir} does not exist.`);
      const result = verifyEvidencePackage(dir, opts.publicKey ? { publicKey: readKey(opts.publicKey, "Public key") } : {});
      for (const e of result.errors) io.stderr(`✗ ${e}\n`);
      const signature = {
        valid: "signature valid",
        invalid: "signature INVALID",
        unchecked: "signed (no --public-key: signature not checked)",
        absent: "not signed",
      }[result.signature];
      io.stdout(`${result.ok ? "OK" : "FAILED"}: ${result.files} files, ${signature}\n`);
      io.setExit(result.ok ? 0 : 1);
    });
}
