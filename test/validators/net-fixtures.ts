/** Loads a control's fixtures with their `# expect:` tuples (shared by the net-* validator tests). */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import type { Resource, Violation } from "../../src/types.js";

const ROOT = join(import.meta.dirname, "..", "..");

export interface FixtureCase {
  file: string;
  resources: Resource[];
  expected: string[];
}

export function fixtureCases(id: string): FixtureCase[] {
  const dir = join(ROOT, "fixtures", id);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), "utf8");
      const expected = [...text.matchAll(/^# expect: (\S+) (\S+)/gm)].map((m) => `${m[1]} ${m[2]}`).sort();
      return {
        file,
        resources: parseManifestStream(text, { file }).resources,
        expected,
      };
    });
}

export function defaultParams(id: string): Record<string, unknown> {
  const control = parse(readFileSync(join(ROOT, "policies", id, "control.yaml"), "utf8"));
  return control.params?.defaults ?? {};
}

export function tuples(violations: readonly Violation[]): string[] {
  const set = new Set(violations.map((v) => `${v.resource.kind}/${v.resource.namespace}/${v.resource.name} ${v.messageId}`));
  return [...set].sort();
}
