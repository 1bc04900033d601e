/** `--controls` and `--skip-controls`: control IDs or globs. */
import { UsageError } from "../errors.js";
import { compileGlob } from "../config/glob.js";
import type { Control } from "./types.js";

/** The controls matching `include` (all when empty) and not `exclude`; an include glob matching nothing is a UsageError. */
export function selectControls(all: readonly Control[], include?: readonly string[], exclude?: readonly string[]): Control[] {
  // Matched in linear time: a pattern such as `*-*-*-*-*-x` cannot make matching blow up.
  const matches = (id: string, globs: readonly string[]) => globs.some((g) => compileGlob(g)(id));
  if (include?.length) {
    const unknown = include.filter((g) => !all.some((c) => matches(c.id, [g])));
    if (unknown.length) throw new UsageError(`Unknown control ${unknown.join(", ")}. Run \`erlmcp-audit controls\` to list them.`);
  }
  return all.filter((c) => (!include?.length || matches(c.id, include)) && !(exclude?.length && matches(c.id, exclude)));
}
