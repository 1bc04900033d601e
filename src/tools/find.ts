/** Locates the external engines: the project's engine cache first, then PATH. */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { PACKAGE_ROOT } from "../paths.js";

export type ToolName = "opa" | "helm" | "kustomize" | "kyverno" | "gator" | "conftest" | "trivy";

export const TOOL_PINS: Readonly<Record<ToolName, string>> = {
  opa: "v1.22.3",
  helm: "v3.22.0",
  kustomize: "v5.8.1",
  gator: "v3.23.0",
  conftest: "v0.69.0",
  kyverno: "v1.19.0",
  trivy: "v0.74.0",
};

export class ToolNotFoundError extends Error {
  readonly code = "TOOL_NOT_FOUND";
  constructor(readonly tool: ToolName) {
    const light = ["opa", "helm", "kustomize"].includes(tool);
    super(
      `${tool} ${TOOL_PINS[tool]} was not found in the engine cache (${engineCacheDir()}/bin) or on PATH. ` +
        `Install it with \`npx erlmcp-audit engines install${light ? "" : ` ${tool}`}\` (builds it with Go >= 1.26; ` +
        `in a clone of the repository: \`npm run engines${light ? "" : ` -- ${tool}`}\`), or put ${tool} ${TOOL_PINS[tool]} on PATH.`,
    );
  }
}

const packageRoot = PACKAGE_ROOT;

/** `$ERLMCP_AUDIT_ENGINES_DIR`, else `<package>/.engines`. */
export function engineCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ERLMCP_AUDIT_ENGINES_DIR || join(packageRoot, ".engines");
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of a tool, or undefined. */
export function locateTool(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [
    join(engineCacheDir(env), "bin", tool),
    ...(env.PATH ?? "")
      .split(delimiter)
      .filter(Boolean)
      .map((d) => join(d, tool)),
  ];
  return candidates.find(isExecutable);
}

/** Absolute path of a tool; throws ToolNotFoundError with the install command. */
export function findTool(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const path = locateTool(tool, env);
  if (!path) throw new ToolNotFoundError(tool);
  return path;
}
