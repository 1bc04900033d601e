/** The explicit map of engines the CLI and library can pick by name. */
import type { EngineName } from "../types.js";
import { GatorEngine } from "./gator.js";
import { KyvernoEngine } from "./kyverno.js";
import { RegoEngine } from "./rego.js";
import type { Engine } from "./types.js";
import { TrivyEngine } from "./trivy.js";
import { TypeScriptEngine } from "./typescript.js";

export const ENGINE_FACTORIES: Readonly<Partial<Record<EngineName, () => Engine>>> = {
  rego: () => new RegoEngine(),
  typescript: () => new TypeScriptEngine(),
  kyverno: () => new KyvernoEngine(),
  gator: () => new GatorEngine(),
  trivy: () => new TrivyEngine(),
};

export const DEFAULT_ENGINES: readonly EngineName[] = ["rego", "typescript"];

export function createEngine(name: EngineName): Engine {
  const factory = ENGINE_FACTORIES[name];
  if (!factory) throw new Error(`Unknown engine '${name}'. Available: ${Object.keys(ENGINE_FACTORIES).join(", ")}.`);
  return factory();
}
