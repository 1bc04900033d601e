import { describe, expect, it } from "vitest";
import { fieldNote, findingLocation, findingPosition, logicalName } from "../../src/reporters/location.js";
import { groupFingerprint, groupRepeated } from "../../src/reporters/group.js";
import { findingFingerprint } from "../../src/findings/identity.js";
import { finding, HELM_PROD, HELM_STAGING, TEMPLATE_LINE } from "./build.js";

describe("finding location", () => {
  it("points at the field's line and column when the finding has a location", () => {
    const f = finding(HELM_PROD, TEMPLATE_LINE);
    expect(findingPosition(f)).toEqual({ file: "charts/app/templates/deployment.yaml", line: 31, column: 15, via: "helm-template" });
    expect(findingLocation(f)).toBe("charts/app/templates/deployment.yaml:31:15");
  });

  it("falls back to the object's first line in source when there is no location", () => {
    const f = finding(HELM_PROD);
    expect(findingPosition(f)).toEqual({ file: "charts/app", line: 120, via: "source" });
    expect(findingLocation(f)).toBe("charts/app:120");
  });

  it("omits the column when only the line is known", () => {
    expect(findingLocation(finding(HELM_PROD, { file: "k/patch.yaml", line: 4, via: "kustomize-patch" }))).toBe("k/patch.yaml:4");
  });

  it("names the field path and the Helm values key, and the logical location unit/Kind/namespace/name/path", () => {
    const f = finding(HELM_PROD, TEMPLATE_LINE);
    expect(fieldNote(f)).toBe(
      "spec.template.spec.containers[0].securityContext.privileged (charts/app/values-production.yaml:8: securityContext.privileged)",
    );
    expect(fieldNote({ path: undefined, location: undefined })).toBe("");
    expect(logicalName(f)).toBe(`${HELM_PROD}/Deployment/app/web/spec.template.spec.containers[0].securityContext.privileged`);
    expect(logicalName({ ...f, path: undefined })).toBe(`${HELM_PROD}/Deployment/app/web`);
  });
});

describe("repeated findings", () => {
  it("collapse into one per location with every unit when two renders hit the same line", () => {
    const groups = groupRepeated([finding(HELM_PROD, TEMPLATE_LINE), finding(HELM_STAGING, TEMPLATE_LINE)]);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.units).toEqual([HELM_PROD, HELM_STAGING]);
    expect(groups[0]!.members).toHaveLength(2);
  });

  it("stay apart when the location, the resource or the verdict differs", () => {
    const other = { ...TEMPLATE_LINE, line: 32 };
    const waived = finding(HELM_STAGING, TEMPLATE_LINE, { status: "waived" });
    const renamed = finding(HELM_STAGING, TEMPLATE_LINE, {
      resource: { apiVersion: "apps/v1", kind: "Deployment", namespace: "b", name: "web" },
    });
    expect(groupRepeated([finding(HELM_PROD, TEMPLATE_LINE), finding(HELM_STAGING, other)])).toHaveLength(2);
    expect(groupRepeated([finding(HELM_PROD, TEMPLATE_LINE), waived])).toHaveLength(2);
    expect(groupRepeated([finding(HELM_PROD, TEMPLATE_LINE), renamed])).toHaveLength(2);
  });

  it("keep a lone finding's fingerprint; a group's fingerprint depends on its members only", () => {
    const a = finding(HELM_PROD, TEMPLATE_LINE);
    const b = finding(HELM_STAGING, TEMPLATE_LINE);
    expect(groupFingerprint(groupRepeated([a])[0]!)).toBe(findingFingerprint(a));
    const ab = groupFingerprint(groupRepeated([a, b])[0]!);
    expect(ab).toBe(groupFingerprint(groupRepeated([b, a])[0]!));
    expect(ab).not.toBe(findingFingerprint(a));
  });
});
