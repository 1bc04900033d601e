import { FORMAT_NAMES, type FormatName } from "../reporters/index.js";
import { UsageError } from "../errors.js";

export interface OutputTarget {
  format: FormatName;
  /** File to write; undefined = stdout. */
  file?: string;
}

/**
 * Pairs `--format X` and `--output F` in the order given: each `--output` belongs to the `--format`
 * before it. At most one format may go to stdout.
 */
export function pairOutputs(argv: readonly string[]): OutputTarget[] {
  const targets: Array<{ format?: FormatName; file?: string }> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    if (flag === "--") break;
    if (flag !== "--format" && flag !== "-f" && flag !== "--output" && flag !== "-o") continue;
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`${flag} needs a value`);
    if (flag === "--format" || flag === "-f") {
      if (!(FORMAT_NAMES as string[]).includes(value))
        throw new UsageError(`Unknown format '${value}'. Formats: ${FORMAT_NAMES.join(", ")}.`);
      targets.push({ format: value as FormatName });
    } else {
      const last = targets[targets.length - 1];
      if (last && last.file === undefined && last.format) last.file = value;
      else targets.push({ file: value });
    }
  }
  const resolved = targets.map((t) => ({ format: t.format ?? "json", ...(t.file ? { file: t.file } : {}) }) as OutputTarget);
  if (resolved.length === 0) resolved.push({ format: "text" });
  if (resolved.filter((t) => !t.file).length > 1)
    throw new UsageError("Only one format can go to stdout: give the others an --output FILE.");
  return resolved;
}
