/** `erlmcp-audit serve`: the validating admission webhook. */
import { availableParallelism } from "node:os";
import { Command, InvalidArgumentError, Option } from "commander";
import { PROFILES } from "../config/profiles.js";
import { DEFAULT_LIMITS, LIMIT_FLAGS } from "../admission/limits.js";
import { SEVERITIES, type Severity } from "../types.js";

const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a whole number >= 0");
  return n;
};
const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a whole number >= 1");
  return n;
};
const limit = (flag: string, description: string, value: number) =>
  new Option(`${flag} <n>`, description).argParser(positive).default(value);
const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(",").filter(Boolean)];

export function addServeCommand(program: Command, io: { stderr: (s: string) => void; stdout: (s: string) => void }): void {
  program
    .command("serve")
    .description("run the validating admission webhook (admission.k8s.io/v1 AdmissionReview over HTTPS, POST /validate)")
    .requiredOption("--tls-cert <file>", "PEM certificate chain (reloaded on change)")
    .requiredOption("--tls-key <file>", "PEM private key")
    .addOption(new Option("--port <port>", "HTTPS port").argParser(integer).default(8443))
    .option("--host <address>", "listen address (default: all)")
    .option("-c, --config <file>", "config file (profile, control overrides, waivers); reloaded on change")
    .addOption(new Option("--waivers <file>", "extra waiver file (repeatable)").argParser(collect))
    .addOption(new Option("-p, --profile <profile>", "profile (default: the config's, else production)").choices([...PROFILES]))
    .addOption(new Option("--deny-on <severity>", "lowest severity that denies; lower ones warn").choices([...SEVERITIES]).default("high"))
    .addOption(new Option("--mode <mode>", "enforce, or warn (never deny)").choices(["enforce", "warn"]).default("enforce"))
    .addOption(
      new Option(
        "--on-error <action>",
        "when the webhook itself fails (policies not loaded, no worker free); a request's own failure always denies",
      )
        .choices(["deny", "allow"])
        .default("deny"),
    )
    .addOption(limit(LIMIT_FLAGS.maxBodyBytes, "deny a request body larger than this", DEFAULT_LIMITS.maxBodyBytes))
    .addOption(
      limit(LIMIT_FLAGS.maxContainers, "deny an object with more containers (incl. init and ephemeral)", DEFAULT_LIMITS.maxContainers),
    )
    .addOption(limit(LIMIT_FLAGS.maxVolumes, "deny an object with more volumes", DEFAULT_LIMITS.maxVolumes))
    .addOption(limit(LIMIT_FLAGS.maxDepth, "deny an object nested deeper", DEFAULT_LIMITS.maxDepth))
    .addOption(limit(LIMIT_FLAGS.maxNodes, "deny an object with more keys and array items", DEFAULT_LIMITS.maxNodes))
    .addOption(
      new Option("--exclude-namespaces <names>", "namespaces never evaluated (comma list; replaces the default)")
        .argParser((v: string) => v.split(",").filter(Boolean))
        .default(["kube-system"]),
    )
    .addOption(
      new Option("--workers <n>", "reviews evaluated at once, plus one standby thread for slow ones (0: main thread)")
        .argParser(integer)
        .default(availableParallelism()),
    )
    .addOption(new Option("--timeout <ms>", "per request, first byte to response").argParser(integer).default(8000))
    .addOption(
      new Option("--reload-interval <ms>", "how often config, waiver and certificate files are checked").argParser(integer).default(2000),
    )
    .addOption(new Option("--shutdown-delay <ms>", "after SIGTERM, keep serving (not ready) this long").argParser(integer).default(5000))
    .action(async (opts) => {
      const { startServer } = await import("../admission/server.js");
      const server = await startServer({
        tlsCert: opts.tlsCert,
        tlsKey: opts.tlsKey,
        port: opts.port,
        host: opts.host,
        settings: {
          config: typeof opts.config === "string" ? opts.config : undefined,
          waivers: opts.waivers,
          profile: opts.profile,
          cwd: process.cwd(),
        },
        denyOn: opts.denyOn as Severity,
        mode: opts.mode,
        onError: opts.onError,
        excludeNamespaces: opts.excludeNamespaces,
        workers: opts.workers,
        timeoutMs: opts.timeout,
        limits: {
          maxBodyBytes: opts.maxBodyBytes,
          maxContainers: opts.maxContainers,
          maxVolumes: opts.maxVolumes,
          maxDepth: opts.maxDepth,
          maxNodes: opts.maxNodes,
        },
        reloadIntervalMs: opts.reloadInterval,
        shutdownDelayMs: opts.shutdownDelay,
        log: (line) => io.stdout(`${line}\n`),
      });
      const stopped = new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once("SIGTERM", stop);
        process.once("SIGINT", stop);
      });
      try {
        await server.ready;
      } catch (error) {
        await server.close();
        throw error;
      }
      await stopped;
    });
}
