/** The command line: argv → audit() → reporters → exit code. No logic of its own. */
import { Command, Option } from "commander";
import { audit } from "../audit.js";
import { UsageError } from "../errors.js";
import { packageVersion } from "../version.js";
import { loadCatalog } from "../catalog/load.js";
import { ConfigError } from "../config/load.js";
import { PROFILES } from "../config/profiles.js";
import { ENGINE_FACTORIES } from "../engines/index.js";
import { SCANNER_FACTORIES } from "../thirdparty/index.js";
import { FORMAT_NAMES, reportChunks } from "../reporters/index.js";
import { cleanText, guardWorkflowCommands } from "../reporters/sanitize.js";
import { SEVERITIES, type EngineName, type Severity } from "../types.js";
import { createBaseline, serializeBaseline, BaselineError } from "../baseline/baseline.js";
import { byteSize, kubeVersion, nonNegativeInt, positiveInt } from "./parse.js";
import { KUBERNETES_SCHEMA_VERSION } from "../k8s/schema/registry.js";
import { DEFAULT_KUBE_VERSION } from "../loaders/render.js";
import { pairOutputs } from "./outputs.js";
import { createProgress } from "./progress.js";
import { formatTimings } from "./timings.js";
import { addServeCommand } from "./serve.js";
import { addEvidenceCommands } from "./evidence.js";
import { addLedgerCommands, appendedLine } from "./ledger.js";
import { addInitCommand } from "./init.js";
import { addEnginesCommands } from "./engines.js";
import { addClusterCommand } from "./cluster.js";
import { ALLOW_VERSION_MISMATCH_ENV } from "../tools/find.js";
import { outputOverInput, outputTarget, writeOutputFile } from "../tools/write-output.js";
import { rejectUnsupportedOptions } from "./strict-options.js";
import { pathsToAudit } from "./default-inputs.js";

export const EXIT = { pass: 0, fail: 1, error: 2 } as const;

/** Policy engines, then third-party scanners: what `--engine all` runs. */
const ALL_ENGINES = [...Object.keys(ENGINE_FACTORIES), ...Object.keys(SCANNER_FACTORIES)] as EngineName[];

const EXIT_HELP = `
Exit codes:
  0  no failing finding at or above --fail-on
  1  failing findings (with --baseline: only those not in the baseline), or an expired waiver
  2  usage, config or input error (unreadable or invalid YAML, failed render, missing engine);
     the report still covers every input that could be read`;

/** Reads stdin, stopping once past `maxBytes` (the audit then refuses it as too large). */
async function readStdin(maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    if (bytes > maxBytes) break;
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** An error message (one issue a line) with input-borne escapes and CI workflow commands made inert. */
const safeLines = (message: string) => guardWorkflowCommands(message.split("\n").map(cleanText).join("\n"));

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").filter(Boolean)];

export function buildProgram(
  argv: readonly string[],
  io: { stdout: (s: string) => void; stderr: (s: string) => void; setExit: (code: number) => void },
): Command {
  const program = new Command("erlmcp-audit")
    .description("Audit Kubernetes manifests (plain YAML, Helm charts, Kustomize overlays) against the erlmcp-audit controls.")
    .version(packageVersion())
    .argument(
      "[paths...]",
      "files, directories, Helm charts or Kustomize overlays; - for stdin (default: the paths of the config's `inputs`)",
    )
    .addOption(new Option("-f, --format <format>", `output format, repeatable: ${FORMAT_NAMES.join(", ")}`))
    .addOption(new Option("-o, --output <file>", "write the preceding --format to this file"))
    .option("-c, --config <file>", "config file (default: nearest erlmcp-audit.config.yaml above the first path)")
    .option("--no-config", "use no config file")
    .addOption(new Option("-p, --profile <profile>", "profile for every input (overrides the config)").choices([...PROFILES]))
    .addOption(new Option("--engine <engine>", `engines, repeatable: ${ALL_ENGINES.join(", ")}, all`).argParser(collect))
    .addOption(new Option("--controls <ids>", "run only these control IDs or globs (net-*)").argParser(collect))
    .addOption(new Option("--skip-controls <ids>", "skip these control IDs or globs").argParser(collect))
    .addOption(new Option("--fail-on <severity>", "lowest severity that fails the run").choices([...SEVERITIES]).default("low"))
    .addOption(
      new Option("--values <file>", "Helm values file to render instead of values.yaml + values-*.yaml (repeatable)").argParser(collect),
    )
    .addOption(new Option("--waivers <file>", "extra waiver file (repeatable)").argParser(collect))
    .option("--disallow-waivers", "ignore every waiver (full report)")
    .addOption(
      new Option("--waiver-warn-days <days>", "warn about waivers expiring within this many days").argParser(nonNegativeInt).default(14),
    )
    .option("--baseline <file>", "fail only on findings not in this baseline; report the others as existing and the missing as fixed")
    .option(
      "--write-baseline <file>",
      "save the failing findings as a baseline (folders are created); the run is judged against it: they are existing, and it exits 0 unless an expired waiver or an error fails it",
    )
    .addOption(
      new Option(
        "--max-file-size <size>",
        "largest input file read (default 16MiB), e.g. 64MiB, 500KB; larger files are input errors",
      ).argParser(byteSize),
    )
    .addOption(
      new Option(
        "--kube-version <version>",
        `Kubernetes version Helm renders for (default: the config's helm.kubeVersion, else ${DEFAULT_KUBE_VERSION}); objects are type-checked against the shipped Kubernetes ${KUBERNETES_SCHEMA_VERSION} schemas`,
      ).argParser(kubeVersion),
    )
    .option(
      "--cache",
      "reuse the parse results, renders and evaluations of earlier runs whose inputs, tool, policies, config, waivers and options are unchanged",
    )
    .option(
      "--cache-dir <dir>",
      "where --cache keeps its entries (implies --cache; default $XDG_CACHE_HOME/erlmcp-audit/results or ~/.cache/…)",
    )
    .addOption(
      new Option(
        "--workers <n>",
        "threads that evaluate large units (2: the Rego policies in their own thread) and, from 3, parse input files (default: the available CPUs; 1: the main thread only)",
      ).argParser(positiveInt),
    )
    .option("--allow-engine-version-mismatch", "use an engine on PATH that is not at its pinned version, with a warning")
    .option(
      "--ledger <dir>",
      "keep this run's evidence package in <dir>/packages/ and append its record to the ledger <dir> (see `erlmcp-audit ledger`)",
    )
    .option(
      "--sign-key <file>",
      "with --ledger: Ed25519 private key (PEM) signing the package and the record (default $ERLMCP_AUDIT_SIGN_KEY)",
    )
    .option("--no-color", "no ANSI colours")
    .option("-q, --quiet", "no progress on stderr")
    .option("--timings", "print the time of each phase (render, load, evaluate) on stderr")
    .option("-v, --verbose", "text format: also the units, engine agreement and the kinds not evaluated or type-checked")
    .addHelpText("after", EXIT_HELP)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action(async (given: string[], opts) => {
      if (opts.allowEngineVersionMismatch) process.env[ALLOW_VERSION_MISMATCH_ENV] = "1";
      if (opts.signKey && !opts.ledger)
        throw new UsageError("--sign-key signs the package and record of --ledger: give --ledger <dir> too.");
      const outputs = pairOutputs(argv);
      const written = [...outputs.flatMap((o) => (o.file ? [o.file] : [])), ...(opts.writeBaseline ? [opts.writeBaseline] : [])];
      // A folder or a device named as an output fails now, not after the audit.
      for (const file of written) outputTarget(file);
      const { paths, config } = pathsToAudit(given, opts, io);
      const engines: EngineName[] | undefined = opts.engine?.includes("all") ? ALL_ENGINES : opts.engine;
      const progress = createProgress({
        enabled: !opts.quiet && Boolean(process.stderr.isTTY) && !process.env.CI,
        write: (s) => process.stderr.write(s),
        columns: process.stderr.columns,
      });
      const report = await audit(paths, {
        config,
        profile: opts.profile,
        engines,
        controls: opts.controls,
        skipControls: opts.skipControls,
        failOn: opts.failOn as Severity,
        values: opts.values,
        waivers: opts.waivers,
        disallowWaivers: opts.disallowWaivers,
        waiverWarnDays: opts.waiverWarnDays,
        baseline: opts.baseline,
        writeBaseline: opts.writeBaseline,
        maxFileBytes: opts.maxFileSize,
        kubeVersion: opts.kubeVersion,
        workers: opts.workers,
        stdin: readStdin,
        ...(opts.cache || opts.cacheDir
          ? { cache: { dir: opts.cacheDir, onWarning: (m: string) => io.stderr(`erlmcp-audit: warning: ${safeLines(m)}\n`) } }
          : {}),
        onProgress: progress.update,
        onTimings: opts.timings ? (t) => io.stderr(formatTimings(t)) : undefined,
      });
      progress.done();
      const color = opts.color !== false && !process.env.NO_COLOR && Boolean(process.stdout.isTTY);
      const over = outputOverInput(
        written,
        report.inputs.map((i) => i.path),
      );
      if (over) throw new UsageError(`${over} is a file this run audited: writing there would replace it; nothing was written.`);
      for (const target of outputs) {
        const chunks = reportChunks(target.format, report, { color: target.file ? false : color, verbose: opts.verbose });
        if (target.file) writeOutputFile(target.file, chunks);
        else for (const chunk of chunks) io.stdout(chunk);
      }
      if (opts.writeBaseline) writeOutputFile(opts.writeBaseline, serializeBaseline(createBaseline(report.findings)));
      if (opts.ledger) {
        const { appendGateRun } = await import("./gate-ledger.js");
        const appended = appendGateRun(report, { ledger: opts.ledger, paths, commandLine: argv, signKey: opts.signKey });
        io.stderr(
          "already" in appended ? `this run's package is already record ${appended.already} of the ledger\n` : appendedLine(appended),
        );
      }
      io.setExit(report.summary.exitCode);
    });

  program
    .command("controls")
    .description("list the controls")
    .option("--json", "as JSON")
    .action((opts) => {
      const controls = loadCatalog();
      if (opts.json) io.stdout(JSON.stringify(controls, null, 2) + "\n");
      else for (const c of controls) io.stdout(`${c.id.padEnd(32)} ${c.severity.padEnd(9)} ${c.scope.padEnd(7)} ${c.title}\n`);
    });
  addServeCommand(program, io);
  addEvidenceCommands(program, io, argv);
  addLedgerCommands(program, io);
  addInitCommand(program, io);
  addEnginesCommands(program, io);
  addClusterCommand(program, io);
  rejectUnsupportedOptions(program);
  return program;
}

/**
 * A write target that goes quiet once its reader has gone (`erlmcp-audit controls --json | head`):
 * the closed pipe ends the output, not the run, and prints no EPIPE stack trace.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): (s: string) => void {
  let open = true;
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    open = false;
  });
  return (s) => void (open && stream.write(s));
}

export async function run(argv: readonly string[]): Promise<void> {
  let exitCode = 0;
  const io = {
    stdout: quietOnClosedPipe(process.stdout),
    stderr: quietOnClosedPipe(process.stderr),
    setExit: (code: number) => void (exitCode = code),
  };
  try {
    await buildProgram(argv, io).parseAsync([...argv], { from: "user" });
  } catch (error) {
    const e = error as { code?: string; exitCode?: number; message?: string };
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") exitCode = 0;
    else if (e.code?.startsWith("commander.")) exitCode = EXIT.error;
    else if (error instanceof UsageError || error instanceof ConfigError || error instanceof BaselineError) {
      io.stderr(`erlmcp-audit: ${safeLines(e.message ?? "")}\n`);
      exitCode = EXIT.error;
    } else {
      io.stderr(`erlmcp-audit: ${safeLines(e.message ?? String(error))}\n`);
      exitCode = EXIT.error;
    }
  }
  process.exitCode = exitCode;
}
