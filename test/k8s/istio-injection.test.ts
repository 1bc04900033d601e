import { describe, expect, it } from "vitest";
import {
  ABSENT_NAMESPACE_INJECTING,
  ABSENT_NAMESPACE_UNLABELLED,
  injectionSubject,
  namespaceLabelIndex,
  namespaceLabels,
  sidecarInjectedBy,
} from "../../src/k8s/istio-injection.js";
import type { Labels } from "../../src/k8s/selectors.js";
import type { K8sObject } from "../../src/types.js";

const ENABLED: Labels[] = [{ "istio-injection": "enabled" }];
const UNLABELLED: Labels[] = [{}];
const BY_NAMESPACE = "namespace label istio-injection=enabled";

/** The decision for a pod template with these metadata maps and spec, in namespace "shop" unless told. */
function injected(metadata: Record<string, unknown>, namespaceMaps: readonly Labels[], spec: unknown = {}, namespace = "shop") {
  return sidecarInjectedBy(injectionSubject({ metadata, spec }, namespace), namespaceMaps);
}
const label = (value: unknown) => ({ labels: { "sidecar.istio.io/inject": value } });
const annotation = (value: unknown) => ({ annotations: { "sidecar.istio.io/inject": value } });

describe("Istio sidecar injection", () => {
  it("the namespace labels select: istio-injection=enabled, else istio.io/rev; disabled turns injection off", () => {
    expect(injected({}, ENABLED)).toBe(BY_NAMESPACE);
    expect(injected({}, [{ "istio.io/rev": "1-24" }])).toBe("namespace label istio.io/rev");
    expect(injected({}, [{ "istio-injection": "disabled" }])).toBeUndefined();
    expect(injected({}, [{ "istio-injection": "disabled", "istio.io/rev": "1-24" }])).toBeUndefined();
    expect(injected({}, UNLABELLED)).toBeUndefined();
  });

  it("in an unlabelled namespace only the pod label true (exactly) or istio.io/rev selects; an annotation never does", () => {
    expect(injected(label("true"), UNLABELLED)).toBe("pod template label sidecar.istio.io/inject=true");
    expect(injected({ labels: { "istio.io/rev": "canary" } }, UNLABELLED)).toBe("pod template label istio.io/rev");
    expect(injected(label("TRUE"), UNLABELLED)).toBeUndefined();
    expect(injected(annotation("true"), UNLABELLED)).toBeUndefined();
    expect(injected(label("true"), [{ "istio-injection": "disabled" }])).toBeUndefined();
  });

  it.each(["", "true", "TRUE", "True", "yes", "Y", "on"])("%j injects (a YAML true spelling, any case)", (value) => {
    expect(injected(label(value), ENABLED)).toBe(BY_NAMESPACE);
    expect(injected(annotation(value), ENABLED)).toBe(BY_NAMESPACE);
  });

  it.each(["false", "False", "no", "0", "1", "f", "t", "off", "disabled"])("%j opts out (istiod reads no ParseBool spelling)", (value) => {
    expect(injected(label(value), ENABLED)).toBeUndefined();
    expect(injected(annotation(value), ENABLED)).toBeUndefined();
  });

  it("the label wins over the annotation; a value that is not a string counts as absent", () => {
    expect(injected({ ...label("true"), ...annotation("false") }, ENABLED)).toBe(BY_NAMESPACE);
    expect(injected({ ...label("no"), ...annotation("true") }, ENABLED)).toBeUndefined();
    expect(injected(label(false), ENABLED)).toBe(BY_NAMESPACE);
    expect(injected({ ...label(false), ...annotation("0") }, ENABLED)).toBeUndefined();
  });

  it("a host-network pod and a pod of a system namespace are never injected", () => {
    expect(injected({}, ENABLED, { hostNetwork: true })).toBeUndefined();
    expect(injected({}, ENABLED, { hostNetwork: "true" })).toBe(BY_NAMESPACE);
    expect(injected({}, ENABLED, {}, "kube-system")).toBeUndefined();
    expect(injected({}, ENABLED, {}, "local-path-storage")).toBeUndefined();
    expect(sidecarInjectedBy(injectionSubject(undefined, "shop"), ENABLED)).toBe(BY_NAMESPACE);
  });

  it("namespace labels come from the set's Namespace objects, else from the caller's assumption", () => {
    // Manifests are untrusted: a label of another type, labels that are not a map.
    const objects = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: { "istio-injection": "disabled", n: 1 } } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", labels: "x" } },
    ] as unknown as K8sObject[];
    const index = namespaceLabelIndex(objects);
    expect(namespaceLabels(index, "shop", ABSENT_NAMESPACE_INJECTING)).toEqual([{ "istio-injection": "disabled" }, {}]);
    expect(namespaceLabels(index, "other", ABSENT_NAMESPACE_INJECTING)).toBe(ABSENT_NAMESPACE_INJECTING);
    expect(namespaceLabels(index, "other", ABSENT_NAMESPACE_UNLABELLED)).toBe(ABSENT_NAMESPACE_UNLABELLED);
    expect(injected({}, namespaceLabels(index, "shop", ABSENT_NAMESPACE_INJECTING))).toBeUndefined();
    expect(injected({}, namespaceLabels(index, "other", ABSENT_NAMESPACE_INJECTING))).toBe(BY_NAMESPACE);
    expect(injected({}, namespaceLabels(index, "other", ABSENT_NAMESPACE_UNLABELLED))).toBeUndefined();
  });
});
