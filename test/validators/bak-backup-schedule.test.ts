import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadControl, placeholdersOf } from "../../src/catalog/load.js";
import { resolveParams } from "../../src/config/profiles.js";
import { parseManifestStream } from "../../src/loaders/yaml.js";
import { POLICIES_DIR } from "../../src/paths.js";
import { formatPath } from "../../src/k8s/field-path.js";
import { bakBackupSchedule, scheduleInterval } from "../../src/validators/bak-backup-schedule.js";
import { readFixtures, tupleKey } from "../fixture-files.js";

const control = loadControl(join(POLICIES_DIR, "bak-backup-schedule"));

describe("bak-backup-schedule validator", () => {
  it.each(readFixtures("bak-backup-schedule").map((f) => [f.file, f] as const))("%s", (_file, fixture) => {
    const { resources, errors } = parseManifestStream(fixture.text, { file: fixture.path });
    expect(errors).toEqual([]);
    const params = resolveParams(control, fixture.profile);
    const violations = bakBackupSchedule.validate(resources, params);
    const actual = [...new Set(violations.map((v) => tupleKey({ ...v.resource, messageId: v.messageId })))].sort();
    expect(actual).toEqual([...new Set(fixture.expect.map(tupleKey))].sort());
    for (const v of violations) {
      expect(Object.keys(v.data)).toEqual(expect.arrayContaining(placeholdersOf(control.messages[v.messageId] ?? "")));
    }
  });
});

describe("bak-backup-schedule paths", () => {
  it("point at the CronJob field to change, or where a missing one goes", () => {
    const text = `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: erlmcp, namespace: erlmcp }
spec: { volumeClaimTemplates: [{ metadata: { name: data } }] }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: backup, namespace: erlmcp, labels: { erlmcp.io/backup-for: other } }
spec:
  schedule: "0 3 * * *"
  suspend: true
  jobTemplate: { spec: { backoffLimit: 2 } }
`;
    const { resources } = parseManifestStream(text, { file: "backup.yaml" });
    const located = bakBackupSchedule
      .validate(resources, { rpoMinutes: 60 })
      .map((v) => `${v.resource.kind} ${v.messageId} @ ${formatPath(v.path ?? [])}`)
      .sort();
    expect(located).toEqual([
      "CronJob backupSuspended @ spec.suspend",
      "CronJob concurrencyNotForbid @ spec",
      "CronJob missingActiveDeadline @ spec.jobTemplate.spec",
      "CronJob missingStartingDeadline @ spec",
      "CronJob scheduleExceedsRpo @ spec.schedule",
      "StatefulSet noBackupCronJob @ spec.volumeClaimTemplates",
    ]);
  });
});

describe("scheduleInterval", () => {
  it.each([
    ["*/15 * * * *", 15],
    ["0 * * * *", 60],
    ["0 */2 * * *", 120],
    ["0 3 * * *", 1440],
    ["0 9,17 * * *", 960],
    ["*/7 * * * *", 7],
    ["* * * * ?", 1],
    [" @hourly ", 60],
    ["@weekly", 10080],
  ])("%s runs every %i minutes at most", (schedule, minutes) => {
    expect(scheduleInterval(schedule)).toBe(minutes);
  });

  it.each(["0 3 * * 0", "0 24 * * *", "*/0 * * * *", "0 8-18 * * *", "@every 1h", "constructor", "", "x y"])(
    "%j is unparseable",
    (schedule) => {
      expect(scheduleInterval(schedule)).toBeUndefined();
    },
  );
});
