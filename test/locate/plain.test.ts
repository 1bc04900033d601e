/**
 * Plain YAML and JSON: a finding points at the field's own key (line and column) in the file and
 * document that declare the object, whatever way the file is written.
 */
import { describe, expect, it } from "vitest";
import { audit } from "../../src/audit.js";
import type { Finding } from "../../src/types.js";
import { tempTree } from "../helpers/tmp.js";

const privileged = (report: { findings: Finding[] }) =>
  report.findings.filter((f) => f.controlId === "pod-no-host-access" && f.messageId === "privilegedContainer");

const POD = (name: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: erlmcp
spec:
  containers:
    - name: app
      image: nginx:1.27
    - name: debug
      image: busybox:1.36
      securityContext:
        privileged: true
`;

describe("locations in plain files", () => {
  const root = tempTree({
    "one.yaml": POD("one"),
    "multi.yaml": `${POD("first").replace("privileged: true", "privileged: false")}---\n# a comment\n\n${POD("second")}`,
    "pod.json": JSON.stringify(
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "json", namespace: "erlmcp" },
        spec: { containers: [{ name: "app", image: "nginx:1.27", securityContext: { privileged: true } }] },
      },
      null,
      2,
    ),
    "list.yaml": `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: c, namespace: erlmcp}
  - apiVersion: v1
    kind: List
    items:
      - apiVersion: v1
        kind: Pod
        metadata: {name: nested, namespace: erlmcp}
        spec:
          containers:
            - name: app
              image: nginx:1.27
              securityContext: {privileged: true}
`,
    "anchors.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: anchored
  namespace: erlmcp
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext: &risky
        privileged: true
    - name: sidecar
      image: busybox:1.36
      securityContext:
        <<: *risky
        runAsNonRoot: true
`,
  });

  it("gives the line and column of the field's key, and the object's line range", async () => {
    const report = await audit([root], { cwd: root, config: false, controls: ["pod-no-host-access"] });
    const at = Object.fromEntries(privileged(report).map((f) => [f.resource.name === "anchored" ? f.path : f.resource.name, f.location]));
    expect(at.one).toEqual({ file: "one.yaml", line: 13, column: 9, via: "field", objectLines: [1, 13] });
    // The second document of a stream, after a comment and a blank line.
    expect(at.second).toMatchObject({ file: "multi.yaml", line: 29, column: 9, via: "field" });
    expect(at.second?.objectLines).toEqual([17, 29]);
    expect(at.json).toMatchObject({ file: "pod.json", line: 14, column: 11, via: "field" });
    // A Pod inside a List inside a List: the item's own field.
    expect(at.nested).toMatchObject({ file: "list.yaml", line: 17, column: 33, via: "field", objectLines: [10, 17] });
    // A key brought in by a merge key: the `<<:` line of this object is where it gets it.
    expect(at["spec.containers[0].securityContext.privileged"]).toMatchObject({ file: "anchors.yaml", line: 11, column: 9, via: "field" });
    expect(at["spec.containers[1].securityContext.privileged"]).toMatchObject({ file: "anchors.yaml", line: 15, column: 9, via: "field" });
    for (const f of privileged(report)) expect(f.path).toMatch(/^spec\.containers\[\d\]\.securityContext\.privileged$/);
    expect(privileged(report)).toHaveLength(6);
  });

  it("places stdin findings in the stream", async () => {
    const report = await audit(["-"], { cwd: root, config: false, controls: ["pod-no-host-access"], stdin: async () => POD("piped") });
    expect(privileged(report)[0]?.location).toMatchObject({ file: "<stdin>", line: 13, column: 9, via: "field" });
  });
});

describe("a file that changed under the audit", () => {
  it("is not used to place findings: the object's own line stands instead of a line that may have moved", async () => {
    const { createHash } = await import("node:crypto");
    const { YamlFiles } = await import("../../src/locate/yaml-file.js");
    const root = tempTree({ "pod.yaml": POD("now") });
    const sha = (text: string) => createHash("sha256").update(text).digest("hex");
    expect(new YamlFiles(root, new Map(), new Map([["pod.yaml", sha(POD("now"))]])).get("pod.yaml")?.documents).toHaveLength(1);
    expect(new YamlFiles(root, new Map(), new Map([["pod.yaml", sha(POD("then"))]])).get("pod.yaml")).toBeUndefined();
  });
});
