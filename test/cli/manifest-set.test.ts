import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { namedFilesId } from "../../src/loaders/discover.js";
import { CONFIGMAP, tempTree } from "../helpers/tmp.js";
import { PACKAGE_ROOT, runBuiltCli } from "./built-cli.js";

/** The passing fixture of net-default-deny, split where `kubectl apply -f policy.yaml -f workload.yaml` users split it. */
function splitFixture(): { workload: string; policies: string } {
  const text = readFileSync(join(PACKAGE_ROOT, "fixtures/net-default-deny/pass.erlmcp-default-deny.yaml"), "utf8");
  const docs = text.split(/^---$/m);
  return { workload: docs[0]!, policies: docs.slice(1).join("---") };
}

interface Report {
  units: Array<{ id: string; path: string; resources: unknown[] }>;
  findings: Array<{ controlId: string; unit: string }>;
}

describe("files named together on one command line", () => {
  const { workload, policies } = splitFixture();
  const root = tempTree({
    "policy.yaml": policies,
    "app/workload.yaml": workload,
    "extra/cm.yaml": CONFIGMAP("extra"),
    "dir/cm.yaml": CONFIGMAP("other"),
  });
  const audit = (...paths: string[]) => {
    const r = runBuiltCli([...paths, "--no-config", "--controls", "net-default-deny", "-f", "json"], root);
    return { code: r.code, report: JSON.parse(r.stdout) as Report };
  };

  it("form one manifest set: a NetworkPolicy in one file covers the workload in another", () => {
    const { code, report } = audit("policy.yaml", "app/workload.yaml");
    expect(report.units.map((u) => [u.id, u.path, u.resources.length])).toEqual([["policy.yaml + app/workload.yaml", "policy.yaml", 3]]);
    expect(report.findings.filter((f) => f.controlId === "net-default-deny")).toEqual([]);
    expect(code).toBe(0);
  });

  it("a folder stays a set of its own beside them; a file named twice is read once", () => {
    const { report } = audit("app/workload.yaml", "dir", "app/workload.yaml", "extra/cm.yaml");
    expect(report.units.map((u) => [u.id, u.resources.length])).toEqual([
      ["app/workload.yaml + extra/cm.yaml", 2],
      ["dir", 1],
    ]);
    expect(report.findings.find((f) => f.controlId === "net-default-deny")?.unit).toBe("app/workload.yaml + extra/cm.yaml");
  });

  it("names a set of more than three files by the first and a count; a single file by its path", () => {
    expect(namedFilesId(["a.yaml"])).toBe("a.yaml");
    expect(namedFilesId(["a.yaml", "b.yaml", "c.yaml"])).toBe("a.yaml + b.yaml + c.yaml");
    expect(namedFilesId(["a.yaml", "b.yaml", "c.yaml", "d.yaml"])).toBe("a.yaml + 3 more files");
  });
});
