/**
 * What Helm reads in a chart folder, and how: templates and `crds/` are rendered (and audited through
 * the render), every values file is rendered as its own unit, and the files Helm reads for something
 * else (Chart.yaml, helpers, NOTES.txt, files read through `.Files`) are listed as not audited. Any
 * other file in the folder is left to the walk, so a stray manifest next to Chart.yaml is audited as
 * plain YAML. Templates that branch on what the cluster holds (`lookup`, `.Capabilities`) or on the
 * release (`.Release.IsUpgrade`, `.Revision`, its name or namespace in a condition) get a notice, and so
 * does a values file holding such a branch when a template renders values through `tpl`.
 */
import { readRegularText } from "../tools/read-regular-file.js";
import { readdirSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { compileGlob } from "../config/glob.js";
import type { NotAuditedFile, Notice } from "../types.js";
import { MANIFEST_EXTENSIONS } from "./exclude.js";
import { helmLabel } from "./render-queue.js";
import { isDirectory, isFile } from "./path-kind.js";

/** A chart rendered once per values file. */
export interface PlannedChart {
  kind: "helm";
  path: string;
  valuesFiles: string[];
}

/** What one chart folder contributes to a discovery. */
export interface ChartPlan {
  /** The chart's units; none for a subchart, which is rendered with its parent. */
  unit?: PlannedChart;
  /** Absolute paths of the files and folders Helm reads: the walk neither enters nor audits them as plain files. */
  claimed: string[];
  /** Subchart folders (`charts/<name>/` with a Chart.yaml): planned as part of this chart. */
  subcharts: string[];
  notAudited: NotAuditedFile[];
  notices: Notice[];
}

/** How a chart is planned. */
export interface ChartPlanOptions {
  cwd: string;
  /** Values files given by the user (`--values`): rendered instead of the chart's own. */
  values?: string[];
  /** The chart that renders this one as a subchart. */
  parent?: string;
}

/** Whether `dir` is a Helm chart (holds a Chart.yaml). */
export function isChart(dir: string): boolean {
  return isFile(join(dir, "Chart.yaml"));
}

const CHART_FILES: Record<string, string> = {
  "Chart.yaml": "chart metadata",
  "Chart.lock": "chart dependency lock",
  "requirements.yaml": "chart dependencies (Helm 2)",
  "requirements.lock": "chart dependency lock (Helm 2)",
  "values.schema.json": "JSON schema Helm validates the values against",
  ".helmignore": "files Helm leaves out of the chart",
};
const YAML = /\.ya?ml$/;

/**
 * The chart's values files, each rendered as its own unit: values.yaml (the defaults, always), every
 * `values*.yaml` beside it, every YAML file under `values/`, and chart-testing's `ci/*values.yaml`.
 */
export function chartValuesFiles(dir: string): string[] {
  const top = names(dir).filter((n) => /^values.*\.ya?ml$/.test(n) && n !== "values.yaml");
  const folder = filesUnder(join(dir, "values")).filter((f) => YAML.test(f));
  const ci = names(join(dir, "ci")).filter((n) => /values\.ya?ml$/.test(n));
  return [join(dir, "values.yaml"), ...top.map((n) => join(dir, n)), ...folder, ...ci.map((n) => join(dir, "ci", n)).filter(isFile)];
}

/** Plans the chart in `dir`: its units, what Helm claims of the folder, what is listed as not audited and the notices. */
export function planChart(dir: string, options: ChartPlanOptions): ChartPlan {
  const rel = (p: string) => relative(options.cwd, p) || ".";
  const name = rel(dir);
  const plan: ChartPlan = { claimed: [], subcharts: [], notAudited: [], notices: [] };
  const claimedFiles = new Set<string>();
  const claim = (path: string, detail?: string) => {
    if (claimedFiles.has(path)) return;
    claimedFiles.add(path);
    plan.claimed.push(path);
    if (detail) plan.notAudited.push({ path: rel(path), reason: "chartFile", detail });
  };

  for (const [file, use] of Object.entries(CHART_FILES)) if (isFile(join(dir, file))) claim(join(dir, file), use);
  for (const file of names(dir).filter((n) => /^(README|LICENSE)/i.test(n))) claim(join(dir, file), "chart documentation");

  const candidates = chartValuesFiles(dir).filter(isFile);
  let valuesFiles: string[] = [];
  if (options.parent) {
    for (const v of candidates)
      claim(
        v,
        v === join(dir, "values.yaml")
          ? `default values of a subchart, rendered with ${rel(options.parent)}`
          : "values file of a subchart: Helm reads only the subchart's values.yaml",
      );
  } else {
    valuesFiles = options.values?.length ? options.values.map((v) => resolve(options.cwd, v)) : chartValuesFiles(dir);
    const defaults = join(dir, "values.yaml");
    for (const v of candidates) {
      const rendered = valuesFiles.includes(v);
      claim(
        v,
        rendered
          ? `values file, rendered as unit ${helmLabel(name, rel(v))}`
          : v === defaults
            ? "default values, rendered under every --values file"
            : "values file, not rendered in this run (--values names the values files)",
      );
    }
  }

  const templatesDir = join(dir, "templates");
  const filesRead: Array<{ template: string; call: string; path: string }> = [];
  let usesTpl = false;
  if (isDirectory(templatesDir)) {
    plan.claimed.push(templatesDir);
    for (const template of filesUnder(templatesDir)) {
      const file = basename(template);
      if (file.startsWith("_"))
        plan.notAudited.push({
          path: rel(template),
          reason: "chartFile",
          detail: "template helpers (named templates other templates include)",
        });
      else if (file === "NOTES.txt")
        plan.notAudited.push({ path: rel(template), reason: "chartFile", detail: "release notes printed by helm install (not applied)" });
      const scan = scanTemplate(readText(template));
      if (scan.capabilities)
        plan.notices.push({
          code: "HELM_CAPABILITIES",
          file: rel(template),
          message:
            "branches on .Capabilities.APIVersions: audited as rendered with --api-versions for the CRDs found in the charts and inputs and the config's helm.apiVersions; a cluster serving other APIs takes another branch",
        });
      plan.notices.push(...installTimeNotices(scan, rel(template), "template"));
      filesRead.push(...scan.files.map((f) => ({ ...f, template: rel(template) })));
      usesTpl ||= scan.tpl;
    }
  }
  // Text a values file holds is a template when a template passes it to `tpl`: the same branches hide there.
  if (usesTpl)
    for (const v of candidates) {
      const scan = scanTemplate(readText(v));
      plan.notices.push(...installTimeNotices(scan, rel(v), "values"));
    }

  const crdsDir = join(dir, "crds");
  if (isDirectory(crdsDir)) {
    plan.claimed.push(crdsDir);
    for (const crd of filesUnder(crdsDir))
      if (!MANIFEST_EXTENSIONS.some((ext) => crd.endsWith(ext)))
        plan.notAudited.push({ path: rel(crd), reason: "chartFile", detail: "in crds/ but not YAML or JSON: Helm does not install it" });
  }

  for (const entry of names(join(dir, "charts"))) {
    const path = join(dir, "charts", entry);
    if (entry.endsWith(".tgz") && isFile(path))
      claim(path, `packaged subchart, rendered with ${name} (not unpacked: audited only through the render)`);
    else if (isChart(path)) plan.subcharts.push(path);
  }

  if (filesRead.length) {
    const chartFiles = filesUnder(dir, (d) => d === templatesDir || d === join(dir, "charts"));
    const chartPaths = chartFiles.map((f) => relative(dir, f).split(sep).join("/"));
    for (const read of filesRead) {
      const glob = read.call === "Glob" ? compileGlob(read.path, { paths: true }) : undefined;
      const matches = glob
        ? chartFiles.filter((_, i) => glob(chartPaths[i]!))
        : [resolve(dir, read.path)].filter((f) => f.startsWith(dir + sep) && isFile(f));
      for (const f of matches) claim(f, `read by ${read.template} through .Files.${read.call}`);
    }
  }

  if (!options.parent) plan.unit = { kind: "helm", path: name, valuesFiles: valuesFiles.map(rel) };
  return plan;
}

/**
 * The notices of what a template (or a values file `tpl` renders) branches on that `helm template` fixes
 * but `helm install` and `helm upgrade` take from the release and the cluster.
 */
function installTimeNotices(scan: TemplateScan, file: string, holder: "template" | "values"): Notice[] {
  const notices: Notice[] = [];
  if (scan.lookup)
    notices.push({
      code: "HELM_LOOKUP",
      file,
      message: `${holder === "template" ? "calls lookup, which finds nothing under helm template" : "holds a call to lookup that a template renders through tpl"}: the branch taken when the looked-up object exists in the cluster is not audited`,
    });
  if (scan.kubeVersion)
    notices.push({
      code: "HELM_KUBE_VERSION",
      file,
      message:
        "reads .Capabilities (other than .APIVersions: the cluster's Kubernetes version): audited as rendered for --kube-version (the config's helm.kubeVersion, default 1.31.0); a cluster of another version may take another branch",
    });
  if (scan.release.size)
    notices.push({
      code: "HELM_RELEASE",
      file,
      message: `branches on ${[...scan.release].sort().join(", ")}: audited as helm template renders it (a first install, revision 1, the release and namespace named after the chart); an upgrade, a later revision or another release name or namespace may take another branch`,
    });
  return notices;
}

/** What a template does that matters for the audit, read off its `{{ … }}` actions. */
interface TemplateScan {
  capabilities: boolean;
  /** Reads `.Capabilities` other than `.APIVersions` (`.KubeVersion`, `.HelmVersion`, the whole of it). */
  kubeVersion: boolean;
  /** What of the release the template branches on (`.Release.IsUpgrade`, `.Release.Namespace` in a condition, …). */
  release: Set<string>;
  lookup: boolean;
  /** Calls `tpl`, which renders text from the values as a template. */
  tpl: boolean;
  /** Files read through `.Files.Get "path"`, `.Files.Glob "pattern"` and the like. */
  files: Array<{ call: string; path: string }>;
}

const FILES_CALL = /\.Files\.(Get|GetBytes|Lines|Glob)\s+(?:"([^"]*)"|`([^`]*)`)/g;
const LOOKUP = /(?<![\w.$])lookup\b/;
const TPL = /(?<![\w.$])tpl\b/;
/** `.Release` as a whole or a field `helm template` fixes (IsUpgrade, IsInstall, Revision): anything but its name, namespace and service. */
const RELEASE_STATE = /\.Release\b(?!\.(?:Name|Namespace|Service)\b)(?:\.(\w+))?/g;
/** The release's name or namespace, which the one who installs chooses. */
const RELEASE_NAME = /\.Release\.(Name|Namespace)\b/g;
/** An action that tests a value (the name or namespace then selects a branch or a value), not one that only prints it. */
const CONDITION =
  /(?<![\w.$-])(?:if|with|eq|ne|lt|le|gt|ge|ternary|hasPrefix|hasSuffix|contains|regexMatch|mustRegexMatch|regexFind|semverCompare|has|hasKey|index|get|dig)(?![\w-])/;
/** `.Capabilities` other than `.APIVersions`: the cluster's Kubernetes version (`--kube-version`), Helm's, or the whole object. */
const OTHER_CAPABILITIES = /\.Capabilities\b(?!\.APIVersions\b)/;

/** Scans each action once, in time linear in the text. */
function scanTemplate(text: string): TemplateScan {
  const scan: TemplateScan = { capabilities: false, kubeVersion: false, release: new Set(), lookup: false, tpl: false, files: [] };
  for (let start = text.indexOf("{{"); start !== -1;) {
    const end = text.indexOf("}}", start + 2);
    const action = text.slice(start + 2, end === -1 ? text.length : end);
    if (action.includes(".Capabilities.APIVersions")) scan.capabilities = true;
    if (LOOKUP.test(action)) scan.lookup = true;
    if (TPL.test(action)) scan.tpl = true;
    if (OTHER_CAPABILITIES.test(action)) scan.kubeVersion = true;
    for (const m of action.matchAll(RELEASE_STATE)) scan.release.add(m[1] ? `.Release.${m[1]}` : ".Release");
    // A lookup's namespace argument selects nothing helm template could render: the lookup notice covers that branch.
    if (CONDITION.test(action) && !LOOKUP.test(action))
      for (const m of action.matchAll(RELEASE_NAME)) scan.release.add(`.Release.${m[1]!}`);
    for (const m of action.matchAll(FILES_CALL)) scan.files.push({ call: m[1]!, path: m[2] ?? m[3] ?? "" });
    if (end === -1) break;
    start = text.indexOf("{{", end + 2);
  }
  return scan;
}

function readText(path: string): string {
  return readRegularText(path) ?? "";
}

/** Names in `dir`, sorted; none when it cannot be read. */
function names(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Every file under `dir` (symbolic links to folders not followed), sorted by path; `skip` prunes folders. */
function filesUnder(dir: string, skip: (dir: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (!skip(path) && entry.name !== ".git" && entry.name !== "node_modules") walk(path);
      } else if (isFile(path)) out.push(path);
    }
  };
  walk(dir);
  return out;
}
