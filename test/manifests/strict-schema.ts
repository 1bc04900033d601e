/**
 * Schema validation of rendered manifests that also reports unknown fields.
 *
 * kubernetes-models (and its CRD packages) ship compiled ajv validators that check types, enums and
 * required fields but ignore unknown properties, so a typo such as `podAntiAfinity` would pass them.
 * The same packages ship TypeScript declarations generated from the same OpenAPI/CRD schemas; this
 * module walks each object against those declarations with the TypeScript checker and reports every
 * field the schema does not declare. Both checks run on every resource.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import ts from "typescript";
import { REPO_ROOT, type K8sDoc } from "./render.js";

const require = createRequire(import.meta.url);

/** apiVersion/kind -> module that declares it (interface `I<Kind>`, class `<Kind>`). */
export const KIND_MODULES: Readonly<Record<string, string>> = Object.fromEntries(
  [
    ["v1", "kubernetes-models/v1", ["Namespace", "LimitRange", "ResourceQuota", "ServiceAccount", "ConfigMap", "Service", "Pod", "PersistentVolumeClaim", "Secret"]],
    ["apps/v1", "kubernetes-models/apps/v1", ["StatefulSet", "Deployment", "DaemonSet"]],
    ["batch/v1", "kubernetes-models/batch/v1", ["Job", "CronJob"]],
    ["policy/v1", "kubernetes-models/policy/v1", ["PodDisruptionBudget"]],
    ["autoscaling/v2", "kubernetes-models/autoscaling/v2", ["HorizontalPodAutoscaler"]],
    ["networking.k8s.io/v1", "kubernetes-models/networking.k8s.io/v1", ["NetworkPolicy", "Ingress"]],
    ["rbac.authorization.k8s.io/v1", "kubernetes-models/rbac.authorization.k8s.io/v1", ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]],
    ["scheduling.k8s.io/v1", "kubernetes-models/scheduling.k8s.io/v1", ["PriorityClass"]],
    ["autoscaling.k8s.io/v1", "@kubernetes-models/autoscaler/autoscaling.k8s.io/v1", ["VerticalPodAutoscaler"]],
    ["cert-manager.io/v1", "@kubernetes-models/cert-manager/cert-manager.io/v1", ["Certificate"]],
    ["external-secrets.io/v1beta1", "@kubernetes-models/external-secrets/external-secrets.io/v1beta1", ["ExternalSecret"]],
    ["monitoring.coreos.com/v1", "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1", ["ServiceMonitor", "PrometheusRule"]],
    ["networking.istio.io/v1beta1", "@kubernetes-models/istio/networking.istio.io/v1beta1", ["VirtualService", "DestinationRule"]],
    ["security.istio.io/v1beta1", "@kubernetes-models/istio/security.istio.io/v1beta1", ["PeerAuthentication"]],
    ["argoproj.io/v1alpha1", "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1", ["Rollout", "AnalysisTemplate"]],
    ["argoproj.io/v1alpha1", "@kubernetes-models/argo-cd/argoproj.io/v1alpha1", ["Application", "AppProject"]],
    ["source.toolkit.fluxcd.io/v1", "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1", ["GitRepository"]],
    ["kustomize.toolkit.fluxcd.io/v1", "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1", ["Kustomization"]],
  ].flatMap(([apiVersion, dir, kinds]) => (kinds as string[]).map((kind) => [`${apiVersion}/${kind}`, `${dir as string}/${kind}`])),
);

export interface SchemaError {
  resource: string;
  path: string;
  message: string;
}

const VIRTUAL = join(REPO_ROOT, "__strict_schema_kinds__.ts");

interface Checker {
  checker: ts.TypeChecker;
  roots: Map<string, ts.Type>;
}

let cached: Checker | undefined;

/** Loads the declarations once: one type alias per kind, resolved by the TypeScript checker. */
function load(): Checker {
  if (cached) return cached;
  const keys = Object.keys(KIND_MODULES);
  const source = keys
    .map((key, i) => `import type { I${key.split("/").pop()} as T${i} } from "${KIND_MODULES[key]}";\nexport type K${i} = T${i};`)
    .join("\n");
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => f === VIRTUAL || fileExists.call(host, f);
  host.readFile = (f) => (f === VIRTUAL ? source : readFile.call(host, f));
  host.getSourceFile = (f, lang, ...rest) =>
    f === VIRTUAL ? ts.createSourceFile(f, source, lang, true) : getSourceFile.call(host, f, lang, ...rest);
  const program = ts.createProgram([VIRTUAL], options, host);
  const errors = ts.getPreEmitDiagnostics(program, program.getSourceFile(VIRTUAL));
  if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, host));
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(VIRTUAL)!;
  const roots = new Map<string, ts.Type>();
  for (const statement of file.statements) {
    if (ts.isTypeAliasDeclaration(statement)) {
      const key = keys[Number(statement.name.text.slice(1))]!;
      roots.set(key, checker.getTypeAtLocation(statement.name));
    }
  }
  cached = { checker, roots };
  return cached;
}

function members(type: ts.Type): ts.Type[] {
  return type.isUnion() ? type.types : [type];
}

/** Reports fields of `value` that `type` does not declare. Types that declare nothing are open. */
function walk(c: ts.TypeChecker, value: unknown, type: ts.Type, path: string, report: (path: string, msg: string) => void): void {
  const candidates = members(c.getNonNullableType(type));
  if (Array.isArray(value)) {
    const elements = candidates.filter((t) => c.isArrayType(t) || c.isTupleType(t)).map((t) => c.getTypeArguments(t as ts.TypeReference)[0]);
    value.forEach((item, i) => elements.forEach((e) => e && walk(c, item, e, `${path}/${i}`, report)));
    return;
  }
  if (value === null || typeof value !== "object") return;
  const objects = candidates.filter(
    (t) => (t.flags & ts.TypeFlags.Object) !== 0 && !c.isArrayType(t) && (c.getPropertiesOfType(t).length > 0 || c.getIndexInfosOfType(t).length > 0),
  );
  if (objects.length === 0) return;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const props = objects.map((t) => c.getPropertyOfType(t, key)).filter((p): p is ts.Symbol => p !== undefined);
    if (props.length > 0) {
      for (const prop of props) walk(c, child, c.getTypeOfSymbol(prop), `${path}/${key}`, report);
      continue;
    }
    const indexed = objects.map((t) => c.getIndexTypeOfType(t, ts.IndexKind.String)).filter((t): t is ts.Type => t !== undefined);
    if (indexed.length > 0) indexed.forEach((t) => walk(c, child, t, `${path}/${key}`, report));
    else report(`${path}/${key}`, `unknown field "${key}"`);
  }
}

const resourceName = (doc: K8sDoc): string =>
  `${doc.apiVersion}/${doc.kind} ${doc.metadata?.namespace ? `${doc.metadata.namespace}/` : ""}${doc.metadata?.name ?? "<unnamed>"}`;

/** All schema errors of one resource: unknown kind, unknown fields, and the models' own validation. */
export function validateResource(doc: K8sDoc): SchemaError[] {
  const resource = resourceName(doc);
  const key = `${doc.apiVersion}/${doc.kind}`;
  const module = KIND_MODULES[key];
  if (!module) return [{ resource, path: "", message: `no schema known for ${key}` }];
  const errors: SchemaError[] = [];
  const { checker, roots } = load();
  walk(checker, doc, roots.get(key)!, "", (path, message) => errors.push({ resource, path, message }));
  // The model packages export ES modules to `import` only: load the file itself (require(esm), synchronous).
  const Model = (require(join(REPO_ROOT, "node_modules", `${module}.js`)) as Record<string, new (data: unknown) => { validate(): void }>)[doc.kind]!;
  try {
    new Model(doc).validate();
  } catch (err) {
    const details = (err as { errors?: { instancePath?: string; message?: string }[] }).errors;
    if (!details) throw err;
    for (const d of details) errors.push({ resource, path: d.instancePath ?? "", message: d.message ?? "invalid" });
  }
  return errors;
}

export function validateResources(docs: K8sDoc[]): SchemaError[] {
  return docs.flatMap(validateResource);
}
