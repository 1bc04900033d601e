import { describe, expect, it } from "vitest";
import { helmTemplate, parseDocs, readManifestDir, STANDALONE, type K8sDoc } from "./render.js";
import { join } from "node:path";

const CANDIDATE = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

const blueGreen = (set: Record<string, string> = {}): K8sDoc[] =>
  parseDocs(helmTemplate({ valuesFiles: ["values-production.yaml"], namespace: "erlmcp-bluegreen", set: { strategy: "blueGreen", ...set } }), "helm blueGreen");

const byName = (docs: K8sDoc[], kind: string, name: string): K8sDoc => {
  const doc = docs.find((d) => d.kind === kind && d.metadata.name === name);
  if (!doc) throw new Error(`${kind}/${name} not rendered`);
  return doc;
};

/** The image of every container of a workload's (or CronJob's) pod template. */
const images = (d: K8sDoc): string[] => {
  const spec = d.kind === "CronJob" ? d.spec.jobTemplate.spec.template.spec : d.spec.template.spec;
  return (spec.containers as K8sDoc[]).map((c) => c.image as string);
};

describe("blue/green: each slot runs its own version", () => {
  it("the committed slots run different digests and carry their version label", () => {
    const docs = readManifestDir(join(STANDALONE, "blue-green"));
    const blue = byName(docs, "StatefulSet", "erlmcp-blue");
    const green = byName(docs, "StatefulSet", "erlmcp-green");
    expect(images(blue)[0]).not.toBe(images(green)[0]);
    expect(blue.spec.template.metadata.labels["erlmcp.io/version"]).toBe("v3.0.2");
    expect(green.spec.template.metadata.labels["erlmcp.io/version"]).toBe("v3.1.0");
  });

  it("a new candidate in the idle slot leaves the live slot, its Services and its backups untouched", () => {
    const before = blueGreen();
    const after = blueGreen({ "blueGreen.slots.green.digest": CANDIDATE, "blueGreen.slots.green.version": "v3.2.0" });
    for (const name of ["erlmcp-blue", "erlmcp-blue-backup"]) {
      const kind = name.endsWith("backup") ? "CronJob" : "StatefulSet";
      expect(byName(after, kind, name), name).toEqual(byName(before, kind, name));
    }
    expect(byName(after, "Service", "erlmcp-http")).toEqual(byName(before, "Service", "erlmcp-http"));
    expect(images(byName(after, "StatefulSet", "erlmcp-green"))[0]).toMatch(new RegExp(`@${CANDIDATE}$`));
    expect(images(byName(after, "CronJob", "erlmcp-green-backup"))[0]).toMatch(new RegExp(`@${CANDIDATE}$`));
  });
});

describe("blue/green: backups per slot", () => {
  const docs = readManifestDir(join(STANDALONE, "blue-green"));
  const cronJobs = docs.filter((d) => d.kind === "CronJob");

  it("no ReadWriteOnce volume is mounted by the backups of two slots", () => {
    const claimsBySlot = new Map<string, Set<string>>();
    for (const c of cronJobs) {
      const slot = String(c.metadata.labels["erlmcp.io/backup-for"] ?? c.metadata.labels["erlmcp.io/operates-on"] ?? "");
      for (const v of c.spec.jobTemplate.spec.template.spec.volumes ?? []) {
        if (!v.persistentVolumeClaim) continue;
        const claim = v.persistentVolumeClaim.claimName as string;
        claimsBySlot.set(claim, (claimsBySlot.get(claim) ?? new Set()).add(slot));
      }
    }
    expect(claimsBySlot.size).toBe(2);
    for (const [claim, slots] of claimsBySlot) expect([...slots], claim).toHaveLength(1);
  });

  it("every backup alert names a backup CronJob that exists, and every scheduled backup has both alerts", () => {
    const rules = docs.filter((d) => d.kind === "PrometheusRule").flatMap((r) => (r.spec.groups as K8sDoc[]).flatMap((g) => g.rules as K8sDoc[]));
    const backupRules = rules.filter((r) => /^ErlmcpBackup/.test(String(r.alert)));
    const named = backupRules.map((r) => /cronjob="([^"]+)"/.exec(String(r.expr))?.[1]);
    const scheduled = cronJobs.filter((c) => !c.spec.suspend).filter((c) => c.metadata.labels["app.kubernetes.io/component"] === "backup");
    expect(scheduled.map((c) => c.metadata.name).sort()).toEqual(["erlmcp-blue-backup", "erlmcp-green-backup"]);
    for (const name of named) expect(cronJobs.map((c) => c.metadata.name)).toContain(name);
    for (const c of scheduled) {
      const alerts = backupRules.filter((r) => String(r.expr).includes(`cronjob="${c.metadata.name}"`)).map((r) => r.alert);
      expect(alerts.sort(), c.metadata.name).toEqual(["ErlmcpBackupMissing", "ErlmcpBackupNeverSucceeded"]);
    }
  });
});
