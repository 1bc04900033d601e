/** Locates the external engines: the project's engine cache first, then PATH. */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { PACKAGE_ROOT } from "../paths.js";
import { privatePathProblem } from "./private-path.js";
import { replaceFile } from "./replace-file.js";

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

/**
 * How each engine reports its version and the text its pinned version prints (the checks of
 * scripts/install-engines.sh).
 */
export const TOOL_VERSION_CHECKS: Readonly<Record<ToolName, { args: readonly string[]; expect: string }>> = {
  opa: { args: ["version"], expect: "Version: 1.22.3" },
  helm: { args: ["version", "--short"], expect: "v3.22.0" },
  kustomize: { args: ["version"], expect: "v5.8.1" },
  gator: { args: ["--version"], expect: "v3.23.0" },
  conftest: { args: ["--version"], expect: "0.69.0" },
  kyverno: { args: ["version"], expect: "1.19.0" },
  trivy: { args: ["--version"], expect: "0.74.0" },
};

/** The environment variable `--allow-engine-version-mismatch` sets: an engine on PATH at another version is used, with a warning. */
export const ALLOW_VERSION_MISMATCH_ENV = "ERLMCP_AUDIT_ALLOW_ENGINE_VERSION_MISMATCH";

/** The engine cannot be found, or (subclasses) found but not trusted. */
export class ToolNotFoundError extends Error {
  readonly code = "TOOL_NOT_FOUND";
  constructor(
    readonly tool: ToolName,
    message: string = notFoundMessage(tool),
  ) {
    super(message);
  }
}

function notFoundMessage(tool: ToolName): string {
  const light = ["opa", "helm", "kustomize"].includes(tool);
  return (
    `${tool} ${TOOL_PINS[tool]} was not found in the engine cache (${engineCacheDir()}/bin) or on PATH. ` +
    `Install it with \`npx erlmcp-audit engines install${light ? "" : ` ${tool}`}\` (builds it with Go >= 1.26; ` +
    `in a clone of the repository: \`npm run engines${light ? "" : ` -- ${tool}`}\`), or put ${tool} ${TOOL_PINS[tool]} on PATH.`
  );
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

/** An engine in the cache that is not the binary the installer recorded in engines.lock. */
export class EngineUnverifiedError extends ToolNotFoundError {}
/** An engine on PATH that does not report its pinned version. */
export class EngineVersionMismatchError extends ToolNotFoundError {}

/** `<engine cache>/engines.lock`: one line per engine the installer built, `name<TAB>version<TAB>sha256`. */
export function engineLockFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(engineCacheDir(env), "engines.lock");
}

function lockedEngine(tool: ToolName, env: NodeJS.ProcessEnv): { version: string; sha256: string } | undefined {
  let text: string;
  try {
    text = readFileSync(engineLockFile(env), "utf8");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const [name, version, sha256] = line.split("\t");
    if (name === tool && version && sha256) return { version, sha256 };
  }
  return undefined;
}

/**
 * What identifies a file's content without reading it: device, inode, size, and the modification and change
 * times in nanoseconds. Rewriting the file in place changes its change time, which only root can set back;
 * replacing it changes the inode.
 */
export function contentStamp(path: string): string {
  const stat = statSync(path, { bigint: true });
  return [stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs].join(":");
}

/** Engines already checked in this process, by path and content stamp. */
const verified = new Set<string>();

/**
 * `<engine cache>/engines.verified`: `name<TAB>sha256<TAB>stamp` of each cached engine whose SHA-256 was
 * checked against engines.lock, so that a later run checks its stamp instead of reading the binary again
 * (helm and kustomize are 100 MB: 0.1–0.4 s of every run that renders).
 */
export function engineStampFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(engineCacheDir(env), "engines.verified");
}

function stampLines(env: NodeJS.ProcessEnv): string[] {
  const file = engineStampFile(env);
  // A record others could write is not trusted (the engine is hashed instead).
  if (privatePathProblem(file)) return [];
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

/** Records that `tool`'s binary with `stamp` has `sha256`; a cache folder we cannot write only costs the next run a hash. */
function recordStamp(tool: ToolName, sha256: string, stamp: string, env: NodeJS.ProcessEnv): void {
  const lines = stampLines(env).filter((line) => line.split("\t")[0] !== tool);
  try {
    replaceFile(engineStampFile(env), [...lines, `${tool}\t${sha256}\t${stamp}`].sort().join("\n") + "\n", 0o600);
  } catch {
    // Read-only engine cache.
  }
}

function sha256Of(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

const reinstall = (tool: ToolName) => `npx erlmcp-audit engines install ${tool}`;

/** An engine of the cache is run only while neither it nor engines.lock (nor a folder above them) can be changed by another user. */
function refuseWritableByOthers(tool: ToolName, path: string, env: NodeJS.ProcessEnv): void {
  const problem = privatePathProblem(path) ?? privatePathProblem(engineLockFile(env));
  if (problem)
    throw new EngineUnverifiedError(
      tool,
      `${problem}: another user could replace ${path} and its record in engines.lock, so it is not run. ` +
        `Make the engine cache writable by its owner only (chmod go-w), or install the engines into a private folder ` +
        `($ERLMCP_AUDIT_ENGINES_DIR) with \`${reinstall(tool)}\`.`,
    );
}

function verifyCached(tool: ToolName, path: string, env: NodeJS.ProcessEnv): void {
  const locked = lockedEngine(tool, env);
  if (!locked)
    throw new EngineUnverifiedError(
      tool,
      `${path} is not recorded in ${engineLockFile(env)}, so it cannot be checked. Run \`${reinstall(tool)}\` to check its version and record it.`,
    );
  if (locked.version !== TOOL_PINS[tool])
    throw new EngineUnverifiedError(
      tool,
      `${path} was built as ${tool} ${locked.version}, not the pinned ${TOOL_PINS[tool]}. Delete it and run \`${reinstall(tool)}\`.`,
    );
  const stamp = contentStamp(path);
  if (stampLines(env).includes(`${tool}\t${locked.sha256}\t${stamp}`)) return;
  const actual = sha256Of(path);
  if (actual !== locked.sha256)
    throw new EngineUnverifiedError(
      tool,
      `${path} is not the binary the installer built (SHA-256 ${actual}, recorded ${locked.sha256} in ${engineLockFile(env)}). ` +
        `Delete it and run \`${reinstall(tool)}\`.`,
    );
  recordStamp(tool, actual, stamp, env);
}

function verifyOnPath(tool: ToolName, path: string, env: NodeJS.ProcessEnv): void {
  const check = TOOL_VERSION_CHECKS[tool];
  const run = spawnSync(path, [...check.args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
  const output = `${run.stdout ?? ""}${run.stderr ?? ""}`;
  if (run.status === 0 && output.includes(check.expect)) return;
  const reported = output.trim().split("\n")[0]?.slice(0, 120) || `exit ${run.status ?? run.signal ?? run.error?.message}`;
  const message =
    `${tool} on PATH (${path}) reports '${reported}', not the pinned ${TOOL_PINS[tool]}. ` +
    `Install the pinned one with \`${reinstall(tool)}\` (it takes precedence over PATH), put ${tool} ${TOOL_PINS[tool]} on PATH, ` +
    `or accept this one with --allow-engine-version-mismatch (${ALLOW_VERSION_MISMATCH_ENV}=1).`;
  if (env[ALLOW_VERSION_MISMATCH_ENV] !== "1") throw new EngineVersionMismatchError(tool, message);
  process.stderr.write(`erlmcp-audit: warning: ${message}\n`);
}

/**
 * Absolute path of a tool that may be run: one in the engine cache only if its SHA-256 is the one
 * the installer recorded in engines.lock, one on PATH only if it reports the pinned version (or,
 * with ERLMCP_AUDIT_ALLOW_ENGINE_VERSION_MISMATCH=1, with a warning). Throws ToolNotFoundError (or a
 * subclass) saying how to get the pinned engine.
 */
export function findTool(tool: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const path = locateTool(tool, env);
  if (!path) throw new ToolNotFoundError(tool);
  const cached = path === join(engineCacheDir(env), "bin", tool);
  // Checked on every call: the lock vouches for the binary only while no one else can rewrite both.
  if (cached) refuseWritableByOthers(tool, path, env);
  const key = `${path}\0${contentStamp(path)}`;
  if (verified.has(key)) return path;
  if (cached) verifyCached(tool, path, env);
  else verifyOnPath(tool, path, env);
  verified.add(key);
  return path;
}
