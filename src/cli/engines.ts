/**
 * `erlmcp-audit engines install [tools...]`: builds the pinned engines with the installer shipped in
 * the package (scripts/install-engines.sh), so an installed package needs no clone of the repository.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { PACKAGE_ROOT } from "../paths.js";
import { engineCacheDir } from "../tools/find.js";

/** The engine installer as shipped in the package. */
export const INSTALLER = join(PACKAGE_ROOT, "scripts", "install-engines.sh");

/** Registers `engines install` on the program. */
export function addEnginesCommands(program: Command, io: { stderr: (s: string) => void; setExit: (code: number) => void }): void {
  const engines = program.command("engines").description("the policy engines (opa, helm, kustomize, ...) built from the Go module proxy");
  const install = engines
    .command("install")
    .description(
      "build the pinned engines into the engine cache ($ERLMCP_AUDIT_ENGINES_DIR, else <package>/.engines); needs Go >= 1.26. " +
        "Default: opa, helm, kustomize",
    )
    .argument("[tools...]", "only these: opa helm kustomize gator conftest kyverno trivy")
    .option("--all", "also kyverno, gator, conftest and trivy")
    .action((tools: string[], opts: { all?: boolean }) => {
      if (opts.all && tools.length) throw new UsageError("engines install: give either --all or tool names, not both");
      const result = spawnSync("bash", [INSTALLER, ...(opts.all ? ["--all"] : tools)], {
        stdio: "inherit",
        env: { ...process.env, ERLMCP_AUDIT_ENGINES_DIR: engineCacheDir() },
      });
      if (result.error) io.stderr(`erlmcp-audit engines install: could not run bash ${INSTALLER}: ${result.error.message}\n`);
      io.setExit(result.status ?? 3);
    });
  install.configureOutput({
    outputError: (message, write) =>
      write(
        message.replace(
          /^error: unknown option '([^']+)'/,
          (_all, flag: string) =>
            `error: option '${flag}' is not supported by 'erlmcp-audit engines install' (see erlmcp-audit engines install --help)`,
        ),
      ),
  });
}
