/** `erlmcp-audit ledger append|append-admission|verify` and `erlmcp-audit evidence period`. */
import { existsSync, readFileSync } from "node:fs";
import { Command, InvalidArgumentError } from "commander";
import { UsageError } from "../errors.js";
import type { Appended } from "../ledger/index.js";
import { cleanText } from "../reporters/sanitize.js";
import { readKey } from "./evidence.js";

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  setExit: (code: number) => void;
}

const positiveInt = (value: string) => {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError("expected a whole number above 0");
  return Number(value);
};

/** The signing key of --sign-key, else $ERLMCP_AUDIT_SIGN_KEY, else none. */
const signKeyOf = (given?: string) => {
  const source = given ?? process.env.ERLMCP_AUDIT_SIGN_KEY;
  return source ? { signKey: readKey(source, "Signing key") } : {};
};

/** One line per appended record. */
export const appendedLine = (a: Appended) =>
  `appended record ${a.sequence} (${a.file}, SHA-256 ${a.sha256}${a.signed ? ", signed" : ", UNSIGNED"})\n`;

/**
 * An option a nested command does not define is a usage error naming the whole command, as
 * strict-options.ts does for the top-level ones.
 */
function nameUnsupportedOptions(command: Command): void {
  const name = `${command.parent!.name()} ${command.name()}`;
  command.configureOutput({
    outputError: (message, write) =>
      write(
        message.replace(
          /^error: unknown option '([^']+)'/,
          (_all, flag: string) => `error: option '${flag}' is not supported by 'erlmcp-audit ${name}' (see erlmcp-audit ${name} --help)`,
        ),
      ),
  });
}

/** `evidence --sign-key k period …`: the options of `evidence` given before `period`, which it would ignore. */
function refuseParentOptions(command: Command): void {
  const parent = command.parent!;
  const given = new Map<string, string>();
  for (const o of parent.options) {
    const key = o.attributeName();
    if (parent.getOptionValueSource(key) !== "cli") continue;
    // `--no-config` and `--config` share one value: name the one that set it.
    if (!given.has(key) || (o.negate && parent.getOptionValue(key) === false)) given.set(key, o.long ?? o.flags);
  }
  if (given.size)
    throw new UsageError(
      `${[...given.values()].map((f) => `'${f}'`).join(", ")} ${given.size === 1 ? "is an option" : "are options"} of 'erlmcp-audit ${parent.name()}', ` +
        `not supported by 'erlmcp-audit ${parent.name()} ${command.name()}' (see erlmcp-audit ${parent.name()} ${command.name()} --help)`,
    );
}

/** Registers `ledger` and its subcommands, and `evidence period` under the `evidence` command. */
export function addLedgerCommands(program: Command, io: Io): void {
  const ledger = program.command("ledger").description("the append-only, hash-chained, signed ledger of gate runs and admission decisions");
  ledger
    .command("append")
    .description("append the run of an evidence package (which must verify) to the ledger")
    .argument("<evidence-dir>", "the evidence package folder")
    .requiredOption("--ledger <dir>", "ledger folder (created)")
    .option("--sign-key <file>", "Ed25519 private key (PEM) to sign the record (default: $ERLMCP_AUDIT_SIGN_KEY)")
    .option("--location <url>", "where the package is archived, recorded as its link (default: <evidence-dir>)")
    .action(async (dir: string, opts: { ledger: string; signKey?: string; location?: string }) => {
      const { appendRun } = await import("../ledger/index.js");
      if (!existsSync(dir)) throw new UsageError(`${dir} does not exist.`);
      io.stdout(appendedLine(appendRun(dir, opts.ledger, { ...signKeyOf(opts.signKey), location: opts.location ?? dir })));
    });
  ledger
    .command("append-admission")
    .description(
      "append the admission webhook's JSON decision log, one record per interval with decisions per control and action and every denied object",
    )
    .argument("<decision-log>", "the webhook's log (JSON lines; lines other than decisions are skipped)")
    .requiredOption("--ledger <dir>", "ledger folder (created)")
    .option("--interval <duration>", "length of one record's interval: 15m, 1h, 6h, 1d (must divide a day)", "1h")
    .option("--sign-key <file>", "Ed25519 private key (PEM) to sign the records (default: $ERLMCP_AUDIT_SIGN_KEY)")
    .action(async (log: string, opts: { ledger: string; interval: string; signKey?: string }) => {
      const { appendAdmission, parseInterval } = await import("../ledger/index.js");
      if (!existsSync(log)) throw new UsageError(`${log} does not exist.`);
      const intervalMs = parseInterval(opts.interval);
      const { appended, skipped } = appendAdmission(readFileSync(log, "utf8"), opts.ledger, {
        intervalMs,
        source: log,
        ...signKeyOf(opts.signKey),
      });
      for (const a of appended) io.stdout(appendedLine(a));
      if (skipped.length) io.stdout(`skipped ${skipped.length} interval(s) the ledger already holds: ${skipped.join(", ")}\n`);
      if (!appended.length && !skipped.length) io.stdout(`${log} holds no admission decision: nothing appended\n`);
    });
  ledger
    .command("verify")
    .description(
      "check the ledger: records numbered without gap, each carrying the SHA-256 of the one before, and with --public-key every signature; " +
        "without a key the signatures are UNVERIFIED and the exit code is 1 unless --allow-unverified",
    )
    .requiredOption("--ledger <dir>", "ledger folder")
    .option("--public-key <file>", "Ed25519 public key (PEM) every record must be signed with")
    .option(
      "--head <sha256>",
      "SHA-256 of a record noted earlier (e.g. the head a previous period report names): it must still be in the ledger",
    )
    .option("--allow-unverified", "exit 0 for an intact chain whose signatures were not checked")
    .action(async (opts: { ledger: string; publicKey?: string; head?: string; allowUnverified?: boolean }) => {
      const { verifyLedger } = await import("../ledger/index.js");
      if (!existsSync(opts.ledger)) throw new UsageError(`${opts.ledger} does not exist.`);
      const result = verifyLedger(opts.ledger, {
        ...(opts.publicKey ? { publicKey: readKey(opts.publicKey, "Public key") } : {}),
        ...(opts.head ? { expectHead: opts.head } : {}),
      });
      for (const e of result.errors) io.stderr(`✗ ${cleanText(e)}\n`);
      const runs = result.records.filter((r) => r.record.type === "run").length;
      const head = result.head ? `head record ${result.head.sequence} SHA-256 ${result.head.sha256}` : "empty";
      const signatures =
        result.signatures === "valid"
          ? `every record signed by public key SHA-256 ${result.checkedKeySha256}`
          : result.signatures === "invalid"
            ? `signatures INVALID for public key SHA-256 ${result.checkedKeySha256}`
            : "signatures UNVERIFIED: no --public-key given";
      io.stdout(`${signatures}\n`);
      const ok = result.ok && (result.signatures === "valid" || opts.allowUnverified === true);
      if (!result.ok) io.stdout(`FAILED: ${result.errors.length} problem(s) in ${result.records.length} record(s)\n`);
      else if (!ok)
        io.stdout(
          `FAILED: chain of ${result.records.length} record(s) intact, but unsigned or not checked: give --public-key (or --allow-unverified)\n`,
        );
      else
        io.stdout(
          `OK: ${result.records.length} record(s) (${runs} run(s), ${result.records.length - runs} admission interval(s)), chain intact; ${head}\n`,
        );
      io.setExit(ok ? 0 : 1);
    });

  const evidence = program.commands.find((c) => c.name() === "evidence");
  if (!evidence) throw new Error("the evidence command must be registered before the ledger commands");
  // `evidence --out x period` keeps evidence's options; `evidence period --out y` gives --out to period.
  evidence.enablePositionalOptions();
  evidence
    .command("period")
    .description(
      "the period report of a ledger: report.html, OSCAL assessment-results and POA&M, CSVs of runs, failures, waivers, gaps, admission denials and a reproducible sample",
    )
    .requiredOption("--ledger <dir>", "ledger folder (verified first: a broken ledger gives no report)")
    .requiredOption("--from <date>", "first day of the period (YYYY-MM-DD, UTC) or a timestamp with a zone")
    .requiredOption("--to <date>", "last day of the period (YYYY-MM-DD, inclusive) or a timestamp (exclusive)")
    .requiredOption("--out <dir>", "folder for the report (created; must hold nothing else)")
    .option(
      "--public-key <file>",
      "Ed25519 public key every record must be signed with (without it the report says signatures were not checked)",
    )
    .option(
      "--seed <text>",
      "seed of the sample (default: derived from the ledger head and the period; an auditor should choose their own)",
    )
    .option("--sample-size <n>", "override the sample size rule", positiveInt)
    .action(
      async (
        opts: { ledger: string; from: string; to: string; out: string; publicKey?: string; seed?: string; sampleSize?: number },
        command: Command,
      ) => {
        refuseParentOptions(command);
        const { createPeriodReport } = await import("../evidence/period/index.js");
        if (!existsSync(opts.ledger)) throw new UsageError(`${opts.ledger} does not exist.`);
        const { period, files } = createPeriodReport(opts.ledger, opts.out, {
          from: opts.from,
          to: opts.to,
          ...(opts.publicKey ? { publicKey: readKey(opts.publicKey, "Public key") } : {}),
          ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
          ...(opts.sampleSize !== undefined ? { sampleSize: opts.sampleSize } : {}),
        });
        io.stdout(
          `Wrote ${Object.keys(files).length} files to ${opts.out}: ${period.runs.length} run(s), ${period.failures.length} failure(s) (${period.open.length} open at the end), ` +
            `${period.gaps.length} gap(s), sample of ${period.sample.size} with seed ${period.sample.seed}${period.ledger.signatures === "valid" ? "" : "; signatures NOT checked"}\n`,
        );
      },
    );
  for (const command of [...ledger.commands, ...evidence.commands]) nameUnsupportedOptions(command);
}
