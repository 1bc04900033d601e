import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import type { K8sObject } from "../../src/types.js";

/** The objects of the plain YAML files under `dir` (templates, Chart.yaml and values files left out): fixtures and manifests/. */
export function objectsIn(dir: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.ya?ml$/.test(entry.name) || entry.name === "Chart.yaml" || entry.name.startsWith("values")) continue;
    const file = join(entry.parentPath, entry.name);
    const text = readFileSync(file, "utf8");
    if (text.includes("{{")) continue;
    for (const r of parseManifestStream(text, { file }).resources) out.push(r.object);
  }
  return out;
}
