/**
 * Benchmark corpus: N copies of the rendered production reference deployment
 * (manifests/helm/erlmcp with values-production.yaml), each copy in its own namespace with its own
 * cluster-scoped names, one file per copy; every DEFECT_EVERY-th copy carries one planted defect.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadInputs } from "../../src/loaders/load.js";
import type { K8sObject } from "../../src/types.js";

const CHART = "manifests/helm/erlmcp";
const VALUES = "manifests/helm/erlmcp/values-production.yaml";
const NAMESPACE = "erlmcp";
export const DEFECT_EVERY = 7;

type Obj = Record<string, any>;

export async function renderReference(cwd: string): Promise<K8sObject[]> {
  const loaded = await loadInputs([CHART], { cwd, values: [VALUES] });
  const unit = loaded.units[0];
  if (loaded.errors.length || !unit) throw new Error(`render of ${CHART} failed: ${JSON.stringify(loaded.errors)}`);
  return unit.resources.map((r) => r.object);
}

/** Deep copy with every string rewritten; `key` is the property holding the value (array items inherit it). */
function rewriteStrings(value: unknown, rewrite: (s: string, key: string) => string, key = ""): unknown {
  if (typeof value === "string") return rewrite(value, key);
  if (Array.isArray(value)) return value.map((v) => rewriteStrings(v, rewrite, key));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewriteStrings(v, rewrite, k)]));
  }
  return value;
}

function podSpecOf(o: Obj): Obj | undefined {
  if (o.kind === "Pod") return o.spec;
  if (o.kind === "CronJob") return o.spec?.jobTemplate?.spec?.template?.spec;
  return o.spec?.template?.spec;
}

/** Defects that object-scope and set-scope controls must catch; one per defective copy, in turn. */
const DEFECTS: Array<{ name: string; apply(objects: Obj[]): Obj[] }> = [
  {
    name: "image-tag",
    apply: (objects) => {
      for (const o of objects.filter((x) => x.kind === "StatefulSet")) podSpecOf(o)!.containers[0].image = "ghcr.io/erlmcp/erlmcp:latest";
      return objects;
    },
  },
  {
    name: "privileged",
    apply: (objects) => {
      for (const o of objects.filter((x) => x.kind === "StatefulSet")) {
        const c = podSpecOf(o)!.containers[0];
        c.securityContext = { ...c.securityContext, privileged: true, allowPrivilegeEscalation: true };
      }
      return objects;
    },
  },
  {
    name: "no-default-deny",
    apply: (objects) => objects.filter((o) => !(o.kind === "NetworkPolicy" && o.metadata.name.endsWith("default-deny"))),
  },
  {
    name: "wildcard-role",
    apply: (objects) => {
      for (const o of objects.filter((x) => x.kind === "Role"))
        o.rules = [...(o.rules ?? []), { apiGroups: [""], resources: ["*"], verbs: ["*"] }];
      return objects;
    },
  },
  {
    name: "literal-credential",
    apply: (objects) => {
      for (const o of objects.filter((x) => x.kind === "StatefulSet")) {
        const c = podSpecOf(o)!.containers[0];
        c.env = [...(c.env ?? []), { name: "DB_PASSWORD", value: "hunter2-in-git" }];
      }
      return objects;
    },
  },
  {
    name: "no-resources",
    apply: (objects) => {
      for (const o of objects.filter((x) => x.kind === "StatefulSet")) delete podSpecOf(o)!.containers[0].resources;
      return objects;
    },
  },
  {
    name: "missing-secret",
    apply: (objects) => objects.filter((o) => o.kind !== "ExternalSecret"),
  },
];

export interface CorpusCopy {
  namespace: string;
  defect?: string;
  objects: Obj[];
}

/** Copy `index` (1-based) of the reference objects. */
export function makeCopy(reference: readonly K8sObject[], index: number): CorpusCopy {
  const suffix = String(index).padStart(5, "0");
  const namespace = `${NAMESPACE}-${suffix}`;
  const clusterNames = new Set(reference.filter((o) => o.kind === "PriorityClass").map((o) => o.metadata?.name as string));
  const namespaceKeys = new Set(["namespace", "matchNames", "kubernetes.io/metadata.name"]);
  const rewrite = (s: string, key: string) =>
    clusterNames.has(s)
      ? `${s}-${suffix}`
      : namespaceKeys.has(key) && s === NAMESPACE
        ? namespace
        : s.replaceAll(`.${NAMESPACE}.svc`, `.${namespace}.svc`);
  let objects = reference.map((ref) => {
    const o = rewriteStrings(ref, rewrite) as Obj;
    if (o.kind === "Namespace" && o.metadata.name === NAMESPACE) o.metadata.name = namespace;
    o.metadata.labels = { ...o.metadata.labels, "bench.erlmcp.io/copy": suffix };
    return o;
  });
  const defect = index % DEFECT_EVERY === 0 ? DEFECTS[(index / DEFECT_EVERY - 1) % DEFECTS.length] : undefined;
  if (defect) objects = defect.apply(objects);
  return { namespace, defect: defect?.name, objects };
}

export interface Corpus {
  dir: string;
  files: string[];
  resources: number;
  copies: number;
  defective: number;
}

/** Writes copies until at least `resources` objects exist (the last copy is trimmed to hit it exactly). */
export function writeCorpus(reference: readonly K8sObject[], dir: string, resources: number): Corpus {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  let written = 0;
  let defective = 0;
  for (let index = 1; written < resources; index++) {
    const copy = makeCopy(reference, index);
    const objects = copy.objects.slice(0, resources - written);
    if (copy.defect) defective++;
    const file = join(dir, `copy-${String(index).padStart(5, "0")}.yaml`);
    writeFileSync(file, objects.map((o) => stringify(o, { lineWidth: 0, version: "1.1" })).join("---\n"));
    files.push(file);
    written += objects.length;
  }
  return { dir, files, resources: written, copies: files.length, defective };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, size] = process.argv.slice(2);
  if (!dir || !size) {
    console.error("usage: tsx scripts/bench/corpus.ts <dir> <resources>");
    process.exit(2);
  }
  const corpus = writeCorpus(await renderReference(process.cwd()), dir, Number(size));
  console.log(`${corpus.resources} resources in ${corpus.copies} files (${corpus.defective} copies with a planted defect) under ${dir}`);
}
