/**
 * The projects' published CustomResourceDefinitions pinned in scripts/engines/crds.lock and installed by
 * scripts/install-crds.sh (scripts/install-engines.sh --cluster) into the engine cache: what the test
 * cluster serves custom kinds with, so the API server validates them against the real schemas.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { engineCacheDir } from "../../src/tools/find.js";
import type { K8sObject } from "../../src/types.js";

/** The committed pins: one CRD file a line. */
export const CRD_LOCK = join(PACKAGE_ROOT, "scripts", "engines", "crds.lock");

/** One pinned CRD file of crds.lock. */
export interface PinnedCrdFile {
  /** The project's short name: the installed file is `<engine cache>/crds/<name>/<file name>`. */
  name: string;
  /** `module@version` on the Go module proxy. */
  module: string;
  /** The file's path inside the module. */
  path: string;
  sha256: string;
}

/** A published CRD and where it comes from (`module path`). */
export interface PublishedCrd {
  crd: K8sObject & { spec: { group: string; names: { kind: string }; versions: Array<{ name: string; served: boolean }> } };
  source: string;
}

/** The lines of crds.lock. */
export function pinnedCrdFiles(): PinnedCrdFile[] {
  return readFileSync(CRD_LOCK, "utf8")
    .split("\n")
    .filter((line) => line.trim() && !line.startsWith("#"))
    .map((line) => {
      const [name, module, , path, sha256] = line.trim().split(/\s+/) as [string, string, string, string, string];
      return { name, module, path, sha256 };
    });
}

/** Where scripts/install-crds.sh puts a pinned file. */
export function installedPath(file: PinnedCrdFile, env: NodeJS.ProcessEnv = process.env): string {
  return join(engineCacheDir(env), "crds", file.name, file.path.split("/").pop()!);
}

const loaded = new Map<string, Map<string, PublishedCrd>>();

/**
 * Every pinned CRD by `group/kind`, each file's SHA-256 checked against crds.lock first; throws naming the
 * file when one is missing or differs (scripts/install-engines.sh --cluster installs them).
 */
export function publishedCrds(env: NodeJS.ProcessEnv = process.env): Map<string, PublishedCrd> {
  const cached = loaded.get(engineCacheDir(env));
  if (cached) return cached;
  const crds = new Map<string, PublishedCrd>();
  for (const file of pinnedCrdFiles()) {
    const path = installedPath(file, env);
    const hint = `run scripts/install-engines.sh --cluster (it installs the CRDs of ${relative(PACKAGE_ROOT, CRD_LOCK)})`;
    if (!existsSync(path)) throw new Error(`the published CRD file ${path} is not installed: ${hint}`);
    const bytes = readFileSync(path);
    const sha = createHash("sha256").update(bytes).digest("hex");
    if (sha !== file.sha256) throw new Error(`${path} has SHA-256 ${sha}, crds.lock pins ${file.sha256}: delete it and ${hint}`);
    for (const doc of parseAllDocuments(bytes.toString("utf8"))) {
      const crd = doc.toJS() as PublishedCrd["crd"] | null;
      if (crd?.kind !== "CustomResourceDefinition") continue;
      crds.set(`${crd.spec.group}/${crd.spec.names.kind}`, { crd, source: `${file.module} ${file.path}` });
    }
  }
  loaded.set(engineCacheDir(env), crds);
  return crds;
}

/**
 * The CRD to create for a published kind: its metadata cut to name, labels and annotations, no status
 * (the API server sets it).
 */
export function creatable({ crd }: PublishedCrd): K8sObject {
  const { name, labels, annotations } = crd.metadata ?? {};
  return {
    apiVersion: crd.apiVersion,
    kind: crd.kind,
    metadata: { name, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    spec: crd.spec,
  };
}

/**
 * Groups under the domains reserved for examples (RFC 2606: example.com, example.net, example.org,
 * `.example`): fictional kinds no project publishes a CRD for, served with an open schema.
 */
export function isExampleGroup(group: string): boolean {
  return /(^|\.)(example\.(com|net|org)|example)$/.test(group);
}
