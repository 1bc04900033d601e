/**
 * The Git commit and worktree state of the audited inputs, read without running anything the audited
 * repository configures. `git status` would otherwise run its `core.fsmonitor` hook, its clean filters
 * (`filter.<driver>.clean`/`.process`, for files whose timestamps changed), its hooks (when it
 * rewrites the index) and `git status` in each submodule with the submodule's own config.
 */
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

const GIT_TIMEOUT_MS = 10_000;

/** Overrides given as GIT_CONFIG_KEY_n/VALUE_n: they beat every config file, and a key may hold `=`. */
const HARDENING: ReadonlyArray<readonly [string, string]> = [
  ["core.fsmonitor", "false"],
  ["core.hooksPath", "/dev/null"],
  ["core.pager", "cat"],
  ["diff.external", ""],
  ["diff.ignoreSubmodules", "all"],
  ["status.submoduleSummary", "false"],
];

/** The environment of a git child: the caller's, plus the config overrides after any the caller set. */
function gitEnv(overrides: ReadonlyArray<readonly [string, string]>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_OPTIONAL_LOCKS: "0", GIT_TERMINAL_PROMPT: "0", GIT_PAGER: "cat" };
  const first = Number(env.GIT_CONFIG_COUNT) || 0;
  overrides.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${first + i}`] = key;
    env[`GIT_CONFIG_VALUE_${first + i}`] = value;
  });
  env.GIT_CONFIG_COUNT = String(first + overrides.length);
  return env;
}

/** Every filter driver any config file in scope names, so each can be switched off by name. */
function filterOverrides(git: (args: string[]) => string): Array<[string, string]> {
  let listed: string;
  try {
    listed = git(["config", "--name-only", "-z", "--get-regexp", "^filter\\..+\\.(clean|smudge|process)$"]);
  } catch {
    return []; // exit 1: no filter configured
  }
  const drivers = new Set(
    listed
      .split("\0")
      .filter(Boolean)
      .map((key) => key.replace(/^filter\./, "").replace(/\.(clean|smudge|process)$/, "")),
  );
  return [...drivers].flatMap((d): Array<[string, string]> => [
    [`filter.${d}.clean`, ""],
    [`filter.${d}.smudge`, ""],
    [`filter.${d}.process`, ""],
    [`filter.${d}.required`, "false"],
  ]);
}

/**
 * The commit and worktree state of the repository holding the inputs, or undefined outside Git (or
 * in a repository Git refuses as not `safe.directory`: we keep that check). Runs only Git itself:
 * no fsmonitor, hook, filter, external diff or pager of the audited repository, and no index write.
 * Changes inside submodules are not counted.
 */
export function gitState(paths: readonly string[], cwd: string): { commit: string; dirty: boolean } | undefined {
  const first = resolve(cwd, paths.find((p) => p !== "-") ?? ".");
  const dir = existsSync(first) && statSync(first).isDirectory() ? first : dirname(first);
  const run = (overrides: ReadonlyArray<readonly [string, string]>) => (args: string[]) =>
    execFileSync("git", ["-C", dir, "--no-pager", "--no-optional-locks", ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      env: gitEnv(overrides),
      timeout: GIT_TIMEOUT_MS,
    });
  try {
    const git = run(HARDENING);
    const commit = git(["rev-parse", "--verify", "HEAD"]).trim();
    const status = run([...HARDENING, ...filterOverrides(git)]);
    const targets = paths.filter((p) => p !== "-").map((p) => resolve(cwd, p));
    const dirty = status(["status", "--porcelain", "--ignore-submodules=all", "--", ...targets]).trim() !== "";
    return { commit, dirty };
  } catch {
    return undefined;
  }
}
