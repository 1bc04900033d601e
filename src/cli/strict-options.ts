/**
 * Every subcommand accepts exactly the options it honours. Without this, commander lets the root
 * command claim its options wherever they appear, so `erlmcp-audit evidence --controls x` would run
 * every control and say nothing.
 */
import type { Command, Option } from "commander";
import { UsageError } from "../errors.js";

/** `error: unknown option '-q'` → an error that names the option and the subcommand. */
function unsupportedOption(message: string, command: string): string {
  return message.replace(
    /^error: unknown option '([^']+)'/,
    (_all, flag: string) => `error: option '${flag}' is not supported by 'erlmcp-audit ${command}' (see erlmcp-audit ${command} --help)`,
  );
}

/** The flag the user gave for an option set on the command line (`--no-config` rather than `--config` when it turned it off). */
function givenFlag(program: Command, option: Option): string {
  const negated = program.options.find((o) => o.negate && o.attributeName() === option.attributeName());
  const value = program.getOptionValue(option.attributeName());
  return (value === false && negated ? negated.long : option.long) ?? option.flags;
}

/**
 * Makes the root options positional (they belong to the audit, before any subcommand) and turns an
 * option a subcommand does not define into a usage error naming both, whether it comes before the
 * subcommand (`erlmcp-audit -q controls`) or after it (`erlmcp-audit evidence -f json`).
 */
export function rejectUnsupportedOptions(program: Command): void {
  program.enablePositionalOptions();
  for (const command of program.commands) {
    command.configureOutput({ outputError: (message, write) => write(unsupportedOption(message, command.name())) });
  }
  program.hook("preAction", (_program, action) => {
    if (action === program) return;
    const seen = new Set<string>();
    const given: string[] = [];
    for (const option of program.options) {
      const key = option.attributeName();
      if (seen.has(key) || program.getOptionValueSource(key) !== "cli") continue;
      seen.add(key);
      given.push(givenFlag(program, option));
    }
    if (given.length)
      throw new UsageError(
        `${given.map((f) => `'${f}'`).join(", ")} ${given.length === 1 ? "is an option" : "are options"} of the audit, ` +
          `not supported by 'erlmcp-audit ${action.name()}' (see erlmcp-audit ${action.name()} --help)`,
      );
  });
}
