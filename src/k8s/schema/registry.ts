/**
 * Which schema checks an apiVersion/kind. The Kubernetes API types come from `kubernetes-models` and the
 * custom resources we know from the `@kubernetes-models/*` packages: validators generated from the
 * Kubernetes OpenAPI document and from each project's CustomResourceDefinitions, shipped as runtime
 * dependencies (see docs/inputs.md, "Types").
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

/** Kubernetes release whose OpenAPI document the shipped built-in schemas were generated from (kubernetes-models 5.1.0). */
export const KUBERNETES_SCHEMA_VERSION = "1.34";

/** Packages of model classes, built-in API first; each holds one folder per API group (`v1` is the core group). */
export const SCHEMA_PACKAGES = [
  "kubernetes-models",
  "@kubernetes-models/istio",
  "@kubernetes-models/argo-cd",
  "@kubernetes-models/argo-rollouts",
  "@kubernetes-models/cert-manager",
  "@kubernetes-models/prometheus-operator",
  "@kubernetes-models/external-secrets",
  "@kubernetes-models/flux-cd",
  "@kubernetes-models/autoscaler",
] as const;

/** A model class of kubernetes-models: `validate()` checks `this` and throws an error carrying ajv's `errors`. */
export interface ModelClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly prototype: { validate(this: object): void };
}

/** The schema of one kind: the model class whose `validate` checks an object, and the package it comes from. */
export interface KindSchema {
  model: ModelClass;
  /** `package@version` of the schema. */
  source: string;
}

const GROUP = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

interface SchemaPackage {
  name: string;
  version: string;
  root: string;
}

let groupPackages: Map<string, SchemaPackage[]> | undefined;

/** The installed folder of a package (its `exports` allow `import` only, so it is found the way Node looks for it). */
function packageRoot(name: string): string {
  for (const dir of require.resolve.paths(name) ?? []) if (existsSync(join(dir, name, "package.json"))) return join(dir, name);
  throw new Error(`${name} is not installed: run npm ci`);
}

/** API group → packages that hold models for it, read once from the installed packages' folders. */
function packagesByGroup(): Map<string, SchemaPackage[]> {
  if (groupPackages) return groupPackages;
  groupPackages = new Map();
  for (const name of SCHEMA_PACKAGES) {
    const root = packageRoot(name);
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith("_") || entry.name === "node_modules") continue;
      const group = name === "kubernetes-models" && entry.name === "v1" ? "" : entry.name;
      groupPackages.set(group, [...(groupPackages.get(group) ?? []), { name, version, root }]);
    }
  }
  return groupPackages;
}

/** Splits `apps/v1` into group and version; the core group is "". */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** The class `exportName` of the ES module at `file` (the packages are ES modules only). */
async function loadModel(file: string, exportName: string): Promise<ModelClass | undefined> {
  if (!existsSync(file)) return undefined;
  const exported = ((await import(pathToFileURL(file).href)) as Record<string, unknown>)[exportName];
  return typeof exported === "function" ? (exported as unknown as ModelClass) : undefined;
}

const cache = new Map<string, Promise<KindSchema | undefined>>();

/** The schema of `apiVersion`/`kind`, or undefined when no shipped package knows the kind (an unknown custom resource). */
export function schemaFor(apiVersion: string, kind: string): Promise<KindSchema | undefined> {
  const key = `${apiVersion}/${kind}`;
  let found = cache.get(key);
  if (!found) cache.set(key, (found = findSchema(apiVersion, kind)));
  return found;
}

async function findSchema(apiVersion: string, kind: string): Promise<KindSchema | undefined> {
  const { group, version } = splitApiVersion(apiVersion);
  if ((group && !GROUP.test(group)) || !VERSION.test(version) || !KIND.test(kind)) return undefined;
  for (const pkg of packagesByGroup().get(group) ?? []) {
    const model = await loadModel(join(pkg.root, group || "v1", group ? version : "", `${kind}.js`), kind);
    // Only top-level kinds carry their apiVersion and kind; `apps/v1 DeploymentSpec` is a part, not a kind.
    if (model && model.apiVersion === apiVersion && model.kind === kind) return { model, source: `${pkg.name}@${pkg.version}` };
  }
  return undefined;
}

/** The core/v1 PodSpec schema, for pod templates embedded in custom resources no shipped package knows. */
export async function podSpecSchema(): Promise<KindSchema> {
  const pkg = packagesByGroup().get("")![0]!;
  const model = await loadModel(join(pkg.root, "v1", "PodSpec.js"), "PodSpec");
  if (!model) throw new Error("kubernetes-models is installed without core/v1 PodSpec");
  return { model, source: `${pkg.name}@${pkg.version}` };
}
