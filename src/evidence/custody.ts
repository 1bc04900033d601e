/** Chain of custody: which CI run produced an evidence package, read from the CI's standard environment variables. */

/** The CI run (or operator) that produced the package. */
export interface RunIdentity {
  /** `github-actions`, `gitlab-ci` or `generic` (ERLMCP_AUDIT_RUN_URL / ERLMCP_AUDIT_RUN_ACTOR). */
  system: "github-actions" | "gitlab-ci" | "generic";
  url?: string;
  actor?: string;
  /** The workflow or pipeline and the run's ID, as the CI names them. */
  workflow?: string;
  runId?: string;
  /** The branch or tag and the commit the CI checked out. */
  ref?: string;
  commit?: string;
}

/** C0 and C1 control characters (and DEL) are dropped: an environment variable cannot write terminal or log escapes. */
const isControl = (c: string) => {
  const code = c.codePointAt(0)!;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
};

const clean = (value: string | undefined): string | undefined => {
  const text = [...(value ?? "")]
    .filter((c) => !isControl(c))
    .join("")
    .trim();
  return text ? text.slice(0, 500) : undefined;
};

function compact(identity: RunIdentity): RunIdentity {
  return Object.fromEntries(Object.entries(identity).filter(([, v]) => v !== undefined)) as unknown as RunIdentity;
}

/** The run identity from GitHub Actions, GitLab CI or the generic variables; undefined outside CI with none set. */
export function runIdentity(env: NodeJS.ProcessEnv = process.env): RunIdentity | undefined {
  if (env.GITHUB_ACTIONS === "true") {
    const server = clean(env.GITHUB_SERVER_URL) ?? "https://github.com";
    const repo = clean(env.GITHUB_REPOSITORY);
    const runId = clean(env.GITHUB_RUN_ID);
    const attempt = clean(env.GITHUB_RUN_ATTEMPT);
    return compact({
      system: "github-actions",
      url: repo && runId ? `${server}/${repo}/actions/runs/${runId}${attempt ? `/attempts/${attempt}` : ""}` : undefined,
      actor: clean(env.GITHUB_ACTOR),
      workflow: clean(env.GITHUB_WORKFLOW),
      runId,
      ref: clean(env.GITHUB_REF),
      commit: clean(env.GITHUB_SHA),
    });
  }
  if (env.GITLAB_CI === "true") {
    return compact({
      system: "gitlab-ci",
      url: clean(env.CI_JOB_URL) ?? clean(env.CI_PIPELINE_URL),
      actor: clean(env.GITLAB_USER_LOGIN),
      workflow: clean(env.CI_PIPELINE_ID),
      runId: clean(env.CI_JOB_ID),
      ref: clean(env.CI_COMMIT_REF_NAME),
      commit: clean(env.CI_COMMIT_SHA),
    });
  }
  const url = clean(env.ERLMCP_AUDIT_RUN_URL);
  const actor = clean(env.ERLMCP_AUDIT_RUN_ACTOR);
  return url || actor ? compact({ system: "generic", url, actor }) : undefined;
}
