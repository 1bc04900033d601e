/** The explicit map of policy engines the CLI and library can pick by name. */
import { UsageError } from "../errors.js";
import type { EngineName } from "../types.js";
import { GatorEngine } from "./gator.js";
import { KyvernoEngine } from "./kyverno.js";
import { RegoEngine } from "./rego.js";
import type { Engine } from "./types.js";
import { TypeScriptEngine } from "./typescript.js";

/** Engines that give verdicts on our controls (third-party scanners are in src/thirdparty). */
export const ENGINE_FACTORIES: Readonly<Partial<Record<EngineName, () => Engine>>> = {
  rego: () => new RegoEngine(),
  typescript: () => new TypeScriptEngine(),
  kyverno: () => new KyvernoEngine(),
  gator: () => new GatorEngine(),
};

export const DEFAULT_ENGINES: readonly EngineName[] = ["rego", "typescript"];

export function createEngine(name: EngineName): Engine {
  const factory = ENGINE_FACTORIES[name];
  if (!factory) throw new UsageError(`Unknown engine '${name}'. Available: ${Object.keys(ENGINE_FACTORIES).join(", ")}.`);
  return factory();
}
