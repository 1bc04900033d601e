/** `erlmcp-audit cluster`: audit what a cluster holds (get/list only), and its drift from the repository. */
import { Command, Option } from "commander";
import type { ClusterSnapshot } from "../cluster/audit.js";
import { PROFILES } from "../config/profiles.js";
import { FORMAT_NAMES, REPORTERS, type FormatName } from "../reporters/index.js";
import { SEVERITIES, type Severity } from "../types.js";
import { outputTarget, writeOutputFile } from "../tools/write-output.js";

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  setExit: (code: number) => void;
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").filter(Boolean)];

/** Registers `erlmcp-audit cluster`. */
export function addClusterCommand(program: Command, io: Io): void {
  program
    .command("cluster")
    .description("audit the objects a cluster holds, of every kind a control inspects (needs only get and list)")
    .option("--kubeconfig <file>", "kubeconfig (default: $KUBECONFIG, ~/.kube/config, else in-cluster)")
    .option("--context <name>", "kubeconfig context (default: its current context)")
    .addOption(
      new Option(
        "-n, --namespace <ns>",
        "read only this namespace (repeatable); cluster-scoped objects are still read, Namespaces only those named",
      ).argParser(collect),
    )
    .addOption(
      new Option(
        "--compare <paths>",
        "report drift from what these paths render instead of auditing (repeatable); exit 1 when they differ",
      ).argParser(collect),
    )
    .addOption(new Option("-f, --format <format>", "report format").choices([...FORMAT_NAMES]).default("text"))
    .option("-o, --output <file>", "write the report (or with --compare, the drift) to this file")
    .option("-c, --config <file>", "config file (default: the nearest erlmcp-audit.config.yaml above the working directory)")
    .option("--no-config", "use no config file")
    .addOption(new Option("-p, --profile <profile>", "profile of the cluster's objects").choices([...PROFILES]))
    .addOption(new Option("--controls <ids>", "run only these control IDs or globs (net-*)").argParser(collect))
    .addOption(new Option("--skip-controls <ids>", "skip these control IDs or globs").argParser(collect))
    .addOption(new Option("--fail-on <severity>", "lowest severity that fails the run").choices([...SEVERITIES]).default("low"))
    .addOption(new Option("--waivers <file>", "extra waiver file (repeatable)").argParser(collect))
    .option("--disallow-waivers", "ignore every waiver (full report)")
    .option("--baseline <file>", "fail only on findings not in this baseline")
    .option("--no-color", "no ANSI colours")
    .action(async (opts) => {
      const { auditCluster, readCluster } = await import("../cluster/audit.js");
      const { compareSnapshot, formatDrift, hasDrift } = await import("../cluster/compare.js");
      const { loadInputs } = await import("../loaders/load.js");
      if (opts.output) outputTarget(opts.output);
      const source = { kubeconfig: opts.kubeconfig, context: opts.context, namespaces: opts.namespace };
      let body: string;
      if (opts.compare) {
        const loaded = await loadInputs(opts.compare, { cwd: process.cwd() });
        const snapshot = await readCluster(source);
        warnNotServed(snapshot, io);
        const drift = compareSnapshot(loaded.units, snapshot, opts.namespace ?? []);
        for (const e of loaded.errors) io.stderr(`erlmcp-audit: ${e.file}: ${e.message}\n`);
        body = opts.format === "json" ? JSON.stringify(drift, null, 2) + "\n" : formatDrift(drift);
        io.setExit(loaded.errors.length ? 2 : hasDrift(drift) ? 1 : 0);
      } else {
        const { report, snapshot } = await auditCluster({
          ...source,
          config: opts.config === false ? false : opts.config,
          profile: opts.profile,
          controls: opts.controls,
          skipControls: opts.skipControls,
          failOn: opts.failOn as Severity,
          waivers: opts.waivers,
          disallowWaivers: opts.disallowWaivers,
          baseline: opts.baseline,
        });
        warnNotServed(snapshot, io);
        const color = opts.color !== false && !opts.output && !process.env.NO_COLOR && Boolean(process.stdout.isTTY);
        body = REPORTERS[opts.format as FormatName](report, { color });
        io.setExit(report.summary.exitCode);
      }
      if (opts.output) writeOutputFile(opts.output, body);
      else io.stdout(body);
    });
}

function warnNotServed(snapshot: ClusterSnapshot, io: Io): void {
  if (snapshot.notServed.length) io.stderr(`erlmcp-audit: not served by ${snapshot.context}, not read: ${snapshot.notServed.join(", ")}\n`);
}
