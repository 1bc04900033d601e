/** Renders Helm charts and Kustomize overlays with the real binaries. */
import { readRegularFile } from "../tools/read-regular-file.js";
import { specialKind } from "./path-kind.js";
import { kustomizationSources } from "./kustomization.js";
import { execFile } from "node:child_process";
import { basename, relative, resolve } from "node:path";
import { parse } from "yaml";
import { findTool, ToolNotFoundError, type ToolName } from "../tools/find.js";
import type { InputError } from "../types.js";
import { inputError } from "./errors.js";
import { errorLines, helmSchemaError, kustomizeMissingPathError, type ErrorPlace } from "./render-errors.js";

export interface RenderOutput {
  stdout?: string;
  error?: InputError;
}

export interface HelmOptions {
  kubeVersion: string;
  namespace?: string;
  releaseName?: string;
  /** Passed with `--api-versions`: what `.Capabilities.APIVersions.Has` sees besides the built-in APIs. */
  apiVersions?: string[];
}

/** Kubernetes version Helm renders for (Helm built with `go install` would otherwise assume 1.20). */
export const DEFAULT_KUBE_VERSION = "1.31.0";
const MAX_RENDER_BYTES = 256 * 1024 * 1024;
/** How long a render may run before it is killed (a chart's templates can loop for minutes); 120 s by default. */
export const DEFAULT_RENDER_TIMEOUT_MS = 120_000;

/** ERLMCP_AUDIT_RENDER_TIMEOUT_MS when it is a positive number of milliseconds, else the default. */
export function renderTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const given = Number(env.ERLMCP_AUDIT_RENDER_TIMEOUT_MS);
  return Number.isFinite(given) && given > 0 ? given : DEFAULT_RENDER_TIMEOUT_MS;
}

/**
 * Runs `tool`; a failure is an input error of the unit `label`, or of the file and line `explain`
 * finds in the tool's error (the message then starts with the tool's first error line).
 */
function run(
  tool: ToolName,
  args: string[],
  cwd: string,
  label: string,
  allowEmpty = false,
  explain?: (stderr: string) => ErrorPlace | undefined,
): Promise<RenderOutput> {
  let binary: string;
  try {
    binary = findTool(tool);
  } catch (error) {
    const message = error instanceof ToolNotFoundError ? error.message : String(error);
    return Promise.resolve({
      error: inputError("TOOL_MISSING", label, message, { hint: `put ${tool} on PATH or in $ERLMCP_AUDIT_ENGINES_DIR/bin` }),
    });
  }
  return new Promise((done) => {
    const timeout = renderTimeoutMs();
    execFile(
      binary,
      args,
      { cwd, maxBuffer: MAX_RENDER_BYTES, encoding: "utf8", timeout, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        if (error?.killed && error.signal === "SIGKILL" && !error.code) {
          done({
            error: inputError("RENDER_FAILED", label, `${tool} did not finish within ${timeout / 1000} s and was stopped`, {
              hint: `run \`${binary} ${args.join(" ")}\` to see what takes so long, or raise ERLMCP_AUDIT_RENDER_TIMEOUT_MS`,
            }),
          });
          return;
        }
        if (error) {
          const place = explain?.(stderr || error.message);
          const detail = errorLines(stderr || error.message)
            .slice(0, 3)
            .map((l) => l.replace(/^Error:\s*/, ""))
            .join(" | ");
          done({
            error: place
              ? inputError("RENDER_FAILED", place.file ?? label, place.file ? `${label}: ${place.message}` : place.message, {
                  ...(place.line ? { line: place.line } : {}),
                  ...(place.column ? { column: place.column } : {}),
                  hint: place.hint,
                })
              : inputError("RENDER_FAILED", label, `${tool} failed: ${detail}`, {
                  // The binary found (on PATH or in the engines folder): a command the user can run as given.
                  hint: `run \`${binary} ${args.join(" ")}\` to see the full error`,
                }),
          });
        } else if (!allowEmpty && !/^\s*(kind|apiVersion):/m.test(stdout)) {
          done({
            error: inputError("RENDER_EMPTY", label, `${tool} rendered no objects`, {
              hint: "check the chart values or the kustomization resources",
            }),
          });
        } else done({ stdout });
      },
    );
  });
}

/**
 * The render refused when something the tool would read is not a regular file or a folder: helm's values file
 * (`-f`), every file a kustomize build names; a link to /dev/zero or a FIFO among them makes the tool read
 * without end or wait forever.
 */
function refusedRender(tool: ToolName, label: string, cwd: string, paths: readonly string[]): Promise<RenderOutput> | undefined {
  const found = paths.map((path) => ({ path, what: specialKind(path) })).find((p) => p.what);
  if (!found) return undefined;
  return Promise.resolve({
    error: inputError(
      "UNREADABLE",
      label,
      `${relative(cwd, found.path) || found.path} is ${found.what}, not a file: ${tool} would read it without end or wait on it; not rendered`,
      {
        hint: "remove it (or the link to it) from the chart or overlay",
      },
    ),
  });
}

/**
 * `helm template` of the chart with one values file (on top of the chart's values.yaml, as `helm
 * install -f` would), with its `crds/` (Helm installs them) and the API versions of `options`.
 * `renderDir`: a copy of the chart rendered in its place (same release name and values file).
 */
export function renderHelm(
  chartDir: string,
  valuesFile: string,
  options: HelmOptions,
  cwd: string,
  label: string,
  renderDir?: string,
): Promise<RenderOutput> {
  const chart = resolve(cwd, chartDir);
  const release = options.releaseName ?? chartName(chart) ?? basename(chart);
  const args = [
    "template",
    release,
    renderDir ?? chart,
    "--include-crds",
    "--kube-version",
    options.kubeVersion,
    "--namespace",
    options.namespace ?? release,
  ];
  for (const apiVersion of options.apiVersions ?? []) args.push("--api-versions", apiVersion);
  const values = resolve(cwd, valuesFile);
  if (values !== resolve(chart, "values.yaml")) args.push("-f", values);
  // helm refuses an irregular file inside the chart itself ("cannot load irregular file"), but reads -f as it is.
  const refused = refusedRender("helm", label, cwd, [values]);
  if (refused) return refused;
  return run("helm", args, cwd, label, false, (stderr) => helmSchemaError(stderr, chartDir, valuesFile, cwd));
}

function chartName(chart: string): string | undefined {
  try {
    const name = (parse(readRegularFile(resolve(chart, "Chart.yaml")).toString("utf8")) as { name?: unknown } | null)?.name;
    return typeof name === "string" && name ? name : undefined;
  } catch {
    return undefined;
  }
}

/** `kustomize build` of `dir`; with `allowEmpty` (a base or component other kustomizations use) an empty build is no error. */
export function renderKustomize(dir: string, cwd: string, label: string, allowEmpty = false): Promise<RenderOutput> {
  const root = resolve(cwd, dir);
  const sources = kustomizationSources(root);
  const refused = refusedRender("kustomize", label, cwd, sources.special);
  if (refused) return refused;
  return run("kustomize", ["build", resolve(cwd, dir)], cwd, label, allowEmpty, (stderr) => kustomizeMissingPathError(stderr, dir, cwd));
}
