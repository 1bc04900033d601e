/** Reads fixtures/<id>/{pass,fail}.<case>.yaml and their `# expect:` / `# profile:` headers. */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../src/paths.js";

export const FIXTURES_DIR = join(PACKAGE_ROOT, "fixtures");

export interface ExpectedTuple {
  kind: string;
  namespace: string;
  name: string;
  messageId: string;
}

export interface Fixture {
  controlId: string;
  file: string;
  path: string;
  verdict: "pass" | "fail";
  text: string;
  expect: ExpectedTuple[];
  profile: string;
  /** Parameter overrides from a `# params: {json}` header. */
  params: Record<string, unknown>;
}

const EXPECT = /^#\s*expect:\s*([A-Za-z0-9]+)\/([^/\s]*)\/(\S+)\s+([a-z][A-Za-z0-9]*)\s*$/;
const PROFILE = /^#\s*profile:\s*(\S+)\s*$/;
const PARAMS = /^#\s*params:\s*(\{.*\})\s*$/;

export function readFixtures(controlId: string): Fixture[] {
  const dir = join(FIXTURES_DIR, controlId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^(pass|fail)\.[a-z0-9-]+\.ya?ml$/.test(f))
    .sort()
    .map((file) => {
      const path = join(dir, file);
      const text = readFileSync(path, "utf8");
      const expect: ExpectedTuple[] = [];
      let profile = "production";
      let params: Record<string, unknown> = {};
      for (const line of text.split("\n")) {
        const e = EXPECT.exec(line);
        if (e) expect.push({ kind: e[1]!, namespace: e[2]!, name: e[3]!, messageId: e[4]! });
        const p = PROFILE.exec(line);
        if (p) profile = p[1]!;
        const q = PARAMS.exec(line);
        if (q) params = JSON.parse(q[1]!) as Record<string, unknown>;
      }
      return { controlId, file, path, verdict: file.startsWith("pass.") ? "pass" : "fail", text, expect, profile, params };
    });
}

export function tupleKey(t: { kind: string; namespace: string; name: string; messageId: string }): string {
  return `${t.kind}/${t.namespace}/${t.name} ${t.messageId}`;
}
