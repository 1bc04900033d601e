/** Renders the reference deployment (manifests/) in all its forms, for tests and the generate script. */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { findTool } from "../../src/tools/find.js";

export type K8sDoc = Record<string, any> & { apiVersion: string; kind: string; metadata: Record<string, any> };

export const REPO_ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "../..");
export const MANIFESTS = join(REPO_ROOT, "manifests");
export const CHART = join(MANIFESTS, "helm", "erlmcp");
export const KUSTOMIZE = join(MANIFESTS, "kustomize");
export const STANDALONE = join(MANIFESTS, "standalone");
export const GITOPS = join(MANIFESTS, "gitops");
export const KUBE_VERSION = "1.31.0";

export const ENVIRONMENTS = ["production", "staging", "development"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export interface HelmOptions {
  namespace?: string;
  valuesFiles?: string[];
  set?: Record<string, string>;
  release?: string;
}

function run(tool: "helm" | "kustomize", args: string[]): string {
  return execFileSync(findTool(tool), args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

/** `helm template` of the chart; values files are relative to the chart. */
export function helmTemplate(opts: HelmOptions = {}): string {
  const args = ["template", opts.release ?? "erlmcp", CHART, "--namespace", opts.namespace ?? "erlmcp", "--kube-version", KUBE_VERSION];
  for (const f of opts.valuesFiles ?? []) args.push("-f", resolve(CHART, f));
  for (const [k, v] of Object.entries(opts.set ?? {})) args.push("--set", `${k}=${v}`);
  return run("helm", args);
}

/** `helm lint --strict` output; throws (with the output) when lint fails. */
export function helmLint(valuesFile: string, chart = CHART): string {
  return run("helm", ["lint", "--strict", chart, "-f", resolve(chart, valuesFile), "--namespace", "erlmcp", "--kube-version", KUBE_VERSION]);
}

export function kustomizeBuild(dir: string): string {
  return run("kustomize", ["build", dir]);
}

export function parseDocs(text: string, origin = "<input>"): K8sDoc[] {
  const out: K8sDoc[] = [];
  for (const doc of parseAllDocuments(text, { uniqueKeys: true })) {
    if (doc.errors.length > 0) throw new Error(`${origin}: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value && typeof value === "object") out.push(value as K8sDoc);
  }
  return out;
}

/** YAML files of a directory (not recursive), sorted. */
export function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The resources a plain-YAML manifest directory lists in its kustomization.yaml. */
export function readManifestDir(dir: string): K8sDoc[] {
  const kustomization = join(dir, "kustomization.yaml");
  const files = existsSync(kustomization)
    ? (parseDocs(readFileSync(kustomization, "utf8"))[0]?.resources as string[]).map((f) => join(dir, f))
    : yamlFiles(dir);
  return files.flatMap((f) => parseDocs(readFileSync(f, "utf8"), f));
}

export const helmValuesFile = (env: Environment): string => `values-${env}.yaml`;

export const renderHelm = (env: Environment): K8sDoc[] => parseDocs(helmTemplate({ valuesFiles: [helmValuesFile(env)] }), `helm ${env}`);
export const renderKustomize = (env: Environment): K8sDoc[] =>
  parseDocs(kustomizeBuild(join(KUSTOMIZE, "overlays", env)), `kustomize overlays/${env}`);

/** Every rendered manifest set: name -> resources. */
export function allManifestSets(): Map<string, K8sDoc[]> {
  const sets = new Map<string, K8sDoc[]>();
  for (const env of ENVIRONMENTS) {
    sets.set(`helm/${env}`, renderHelm(env));
    sets.set(`kustomize/${env}`, renderKustomize(env));
  }
  sets.set("helm/defaults", parseDocs(helmTemplate(), "helm defaults"));
  sets.set("standalone", readManifestDir(STANDALONE));
  sets.set("standalone/blue-green", readManifestDir(join(STANDALONE, "blue-green")));
  sets.set("standalone/canary", readManifestDir(join(STANDALONE, "canary")));
  sets.set("gitops", [...yamlFiles(join(GITOPS, "argocd")), ...yamlFiles(join(GITOPS, "flux"))].flatMap((f) => parseDocs(readFileSync(f, "utf8"), f)));
  return sets;
}

const BOOKKEEPING_LABELS = new Set(["helm.sh/chart", "app.kubernetes.io/managed-by"]);
const isBookkeepingAnnotation = (key: string): boolean => key.startsWith("helm.sh/") || key === "kustomize.config.k8s.io/id";

export const isHelmTestHook = (doc: K8sDoc): boolean => /\btest\b/.test(String(doc.metadata?.annotations?.["helm.sh/hook"] ?? ""));

function stripMeta(meta: Record<string, any> | undefined): void {
  if (!meta) return;
  for (const [field, drop] of [
    ["labels", (k: string) => BOOKKEEPING_LABELS.has(k)],
    ["annotations", isBookkeepingAnnotation],
  ] as const) {
    const map = meta[field] as Record<string, string> | undefined;
    if (!map) continue;
    for (const key of Object.keys(map)) if (drop(key)) delete map[key];
    if (Object.keys(map).length === 0) delete meta[field];
  }
}

/** Removes tool bookkeeping (Helm/Kustomize labels and annotations) anywhere in an object tree. */
function stripDeep(value: unknown): void {
  if (Array.isArray(value)) value.forEach(stripDeep);
  else if (value && typeof value === "object") {
    const obj = value as Record<string, any>;
    if (obj.metadata && typeof obj.metadata === "object") stripMeta(obj.metadata);
    for (const v of Object.values(obj)) stripDeep(v);
  }
}

export const resourceKey = (d: K8sDoc): string => `${d.apiVersion}/${d.kind}/${d.metadata?.namespace ?? ""}/${d.metadata?.name ?? ""}`;

/** Tool-neutral form of a resource set: no helm test hooks, no bookkeeping, sorted by key. */
export function normalise(docs: K8sDoc[]): Map<string, K8sDoc> {
  const out = new Map<string, K8sDoc>();
  for (const doc of docs) {
    if (isHelmTestHook(doc)) continue;
    const copy = structuredClone(doc);
    stripDeep(copy);
    out.set(resourceKey(copy), copy);
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

/** Field-level differences between two values, as `path: left != right` lines. */
export function diffValues(left: unknown, right: unknown, path = ""): string[] {
  if (JSON.stringify(left) === JSON.stringify(right)) return [];
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object";
  if (isObj(left) && isObj(right) && Array.isArray(left) === Array.isArray(right)) {
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
    return keys.flatMap((k) => diffValues(left[k], right[k], `${path}/${k}`));
  }
  return [`${path || "/"}: ${JSON.stringify(left)} != ${JSON.stringify(right)}`];
}

/** Differences between two normalised sets, listed by resource and field. */
export function diffSets(left: Map<string, K8sDoc>, right: Map<string, K8sDoc>, names: [string, string]): string[] {
  const out: string[] = [];
  for (const key of new Set([...left.keys(), ...right.keys()])) {
    const l = left.get(key);
    const r = right.get(key);
    if (!l) out.push(`${key}: only in ${names[1]}`);
    else if (!r) out.push(`${key}: only in ${names[0]}`);
    else out.push(...diffValues(l, r).map((d) => `${key} ${d}`));
  }
  return out.sort();
}
