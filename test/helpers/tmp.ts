import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";

/** A temporary folder laid out from a map of relative path → content, removed after the file's tests. */
export function tempTree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), "erlmcp-audit-test-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

export const CONFIGMAP = (name: string, namespace = "erlmcp") => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
    app.kubernetes.io/name: erlmcp
    app.kubernetes.io/instance: erlmcp
    app.kubernetes.io/version: 3.0.2
    app.kubernetes.io/part-of: erlmcp
    app.kubernetes.io/managed-by: kustomize
data:
  LOG_LEVEL: info
`;
