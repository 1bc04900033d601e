/**
 * A chart or overlay holding a link to a device or a FIFO: helm loads every file of a chart (a values file
 * linked to /dev/zero took helm to 7.6 GB in 6 s, and this process read it too), kustomize every file its
 * build names, and a FIFO makes either wait forever. Such a render is refused with an error naming the entry,
 * nothing reads it, and every other input is still audited. The CLI runs as a child with a deadline: a
 * regression must fail the test, not hang the suite. FIFOs stand in for /dev/zero (a reader blocks on one
 * without eating memory); the unit test of specialKind also uses a link to /dev/zero, never read.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../../src/paths.js";
import { specialKind } from "../../src/loaders/path-kind.js";
import { PRIVILEGED_POD, tempTree } from "../helpers/tmp.js";

const BIN = join(PACKAGE_ROOT, "bin/erlmcp-audit.js");
const linux = process.platform === "linux";

function mkfifo(path: string): void {
  expect(spawnSync("mkfifo", [path]).status).toBe(0);
}

/** The audit of `paths` in `cwd` as a child process that is killed after 90 s. */
function audit(cwd: string, paths: string[], extra: string[] = []) {
  const run = spawnSync(process.execPath, [BIN, ...paths, "--no-config", "--format", "json", ...extra], {
    cwd,
    timeout: 90_000,
    killSignal: "SIGKILL",
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(run.signal, `the audit of ${paths.join(" ")} was killed at its deadline: it hung`).toBeNull();
  const report = JSON.parse(run.stdout) as {
    inputErrors: Array<{ code: string; file: string; message: string }>;
    findings: Array<{ controlId: string; resource: { name: string } }>;
    units: Array<{ id: string; resources: unknown[] }>;
  };
  return { code: run.status, report };
}

/** A tree with the reference chart and overlays copied in, and a privileged Pod in a folder of its own. */
function repository(): string {
  const root = tempTree({ "plain/pod.yaml": PRIVILEGED_POD("bystander") });
  cpSync(join(PACKAGE_ROOT, "manifests/helm/erlmcp"), join(root, "chart"), { recursive: true });
  cpSync(join(PACKAGE_ROOT, "manifests/kustomize"), join(root, "kustomize"), { recursive: true });
  return root;
}

const bystanderAudited = (report: ReturnType<typeof audit>["report"]) =>
  report.findings.some((f) => f.resource.name === "bystander" && f.controlId === "pod-restricted-context");

describe.runIf(linux)("renders of charts and overlays holding a FIFO or a device", () => {
  it("fails every render of a chart holding a values file that is a FIFO, without hanging, and audits the rest", () => {
    const root = repository();
    mkfifo(join(root, "chart/values-evil.yaml"));
    const { code, report } = audit(root, ["chart", "plain"]);
    expect(code).toBe(2);
    const byFile = new Map(report.inputErrors.map((e) => [e.file, e.message]));
    // Its own render is refused before helm starts (helm would wait on -f forever)…
    expect(byFile.get("chart@values-evil.yaml")).toContain("chart/values-evil.yaml is a FIFO, not a file");
    // …and helm refuses the chart holding it in every other render ("cannot load irregular file").
    expect(byFile.get("chart@values-production.yaml")).toContain("values-evil.yaml");
    expect(bystanderAudited(report)).toBe(true);
  });

  it("fails, without hanging, a chart whose template or CRD is a link to a FIFO, with and without --cache", () => {
    for (const place of ["templates/zz-evil.yaml", "crds/evil.yaml"]) {
      const root = repository();
      mkdirSync(join(root, "chart/crds"), { recursive: true });
      mkfifo(join(root, "pipe"));
      symlinkSync(join(root, "pipe"), join(root, "chart", place));
      for (const extra of [[], ["--cache", "--cache-dir", join(root, ".cache")]]) {
        const { code, report } = audit(root, ["chart", "plain"], extra);
        expect(code).toBe(2);
        // helm itself refuses an irregular file of the chart ("cannot load irregular file …").
        expect(report.inputErrors.some((e) => e.file.startsWith("chart@") && e.message.includes(`chart/${place}`))).toBe(true);
        expect(bystanderAudited(report)).toBe(true);
      }
    }
  });

  it("renders a chart whose .helmignore leaves out a FIFO", () => {
    const root = repository();
    mkfifo(join(root, "chart/scratch.pipe"));
    writeFileSync(join(root, "chart/.helmignore"), `${readFileSync(join(root, "chart/.helmignore"), "utf8")}\nscratch.pipe\n`);
    const { report } = audit(root, ["chart"]);
    expect(report.inputErrors).toEqual([]);
    expect(report.units.find((u) => u.id === "chart@values-production.yaml")?.resources.length).toBeGreaterThan(10);
  });

  it("refuses an overlay whose resource, or whose kustomization itself, is a FIFO", () => {
    const resource = repository();
    rmSync(join(resource, "kustomize/base/networkpolicy.yaml"));
    mkfifo(join(resource, "kustomize/base/networkpolicy.yaml"));
    const byResource = audit(resource, ["kustomize", "plain"]);
    expect(byResource.code).toBe(2);
    expect(byResource.report.inputErrors.some((e) => e.message.includes("networkpolicy.yaml is a FIFO"))).toBe(true);
    expect(bystanderAudited(byResource.report)).toBe(true);

    const kustomization = repository();
    rmSync(join(kustomization, "kustomize/overlays/production/kustomization.yaml"));
    mkfifo(join(kustomization, "kustomize/overlays/production/kustomization.yaml"));
    const byKustomization = audit(kustomization, ["kustomize", "plain"]);
    expect(byKustomization.code).toBe(2);
    expect(bystanderAudited(byKustomization.report)).toBe(true);
  });
});

describe.runIf(linux)("what the tools do not read", () => {
  it("renders an overlay whose folder holds a FIFO no kustomization names", () => {
    const root = repository();
    mkfifo(join(root, "kustomize/overlays/production/scratch.pipe"));
    mkfifo(join(root, "kustomize/base/editor.sock"));
    const { report } = audit(root, ["kustomize/overlays/production"]);
    expect(report.inputErrors).toEqual([]);
    const unit = report.units.find((u) => u.id === "kustomize/overlays/production");
    expect(unit?.resources.length).toBeGreaterThan(10);
  });
});

describe.runIf(linux)("specialKind", () => {
  it("names a FIFO or a device, through a link, and nothing else", () => {
    const root = tempTree({ "file.yaml": "a: 1\n" });
    mkfifo(join(root, "pipe"));
    symlinkSync(join(root, "pipe"), join(root, "to-pipe.yaml"));
    symlinkSync("/dev/zero", join(root, "zero.yaml"));
    symlinkSync(join(root, "nowhere"), join(root, "dangling.yaml"));
    expect(specialKind(join(root, "pipe"))).toBe("a FIFO");
    expect(specialKind(join(root, "to-pipe.yaml"))).toBe("a FIFO");
    expect(specialKind(join(root, "zero.yaml"))).toBe("a device");
    for (const name of ["file.yaml", "dangling.yaml", "."]) expect(specialKind(join(root, name))).toBeUndefined();
  });
});
