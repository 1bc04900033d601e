import type { K8sObject, Violation } from "../types.js";
import { allContainers, podSpec, refOf } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const ISSUER_ANNOTATIONS = ["cert-manager.io/cluster-issuer", "cert-manager.io/issuer"];

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
const group = (obj: K8sObject) => String(obj.apiVersion ?? "").split("/")[0];

/** `namespace/name` of the Secret(s) an object produces. */
function producedSecrets(obj: K8sObject): string[] {
  const { namespace, name } = refOf(obj);
  const spec = (obj.spec ?? {}) as Record<string, any>;
  const names: unknown[] = [];
  if (obj.kind === "Secret") names.push(name);
  if (obj.kind === "ExternalSecret" && group(obj) === "external-secrets.io") names.push(spec.target?.name ?? name);
  if (obj.kind === "SealedSecret" && group(obj) === "bitnami.com") names.push(spec.template?.metadata?.name ?? name);
  if (obj.kind === "Certificate" && group(obj) === "cert-manager.io") names.push(spec.secretName);
  if (obj.kind === "Ingress" && ISSUER_ANNOTATIONS.some((a) => a in (obj.metadata?.annotations ?? {})))
    names.push(...list(spec.tls).map((t) => t?.secretName));
  return names.filter((n) => typeof n === "string").map((n) => `${namespace}/${n}`);
}

/** [secret name, where] of every non-optional Secret reference of an object. */
function secretReferences(obj: K8sObject): Array<[unknown, string]> {
  const refs: Array<[unknown, string]> = [];
  const add = (ref: any, key: "name" | "secretName", where: string) => {
    if (ref && !ref.optional) refs.push([ref[key], where]);
  };
  for (const { container: c } of allContainers(obj)) {
    for (const e of list(c.env)) add(e?.valueFrom?.secretKeyRef, "name", `container ${c.name} env ${e.name}`);
    for (const ef of list(c.envFrom)) add(ef?.secretRef, "name", `container ${c.name} envFrom`);
  }
  const spec = podSpec(obj);
  for (const v of list(spec.volumes)) {
    add(v?.secret, "secretName", `volume ${v?.name}`);
    for (const source of list(v?.projected?.sources)) add(source?.secret, "name", `projected volume ${v?.name}`);
  }
  for (const ref of list(spec.imagePullSecrets)) refs.push([ref?.name, "imagePullSecrets"]);
  if (obj.kind === "Ingress")
    list((obj.spec as Record<string, any> | undefined)?.tls).forEach((t, i) => refs.push([t?.secretName, `tls ${i}`]));
  return refs;
}

export const secReferencesResolve: SetValidator = {
  id: "sec-references-resolve",
  scope: "set",
  validate(resources) {
    const produced = new Set(resources.flatMap((r) => producedSecrets(r.object)));
    const out: Violation[] = [];
    for (const { object } of resources) {
      const resource = refOf(object);
      for (const [secret, where] of secretReferences(object)) {
        if (typeof secret !== "string" || produced.has(`${resource.namespace}/${secret}`)) continue;
        out.push({ messageId: "unresolvedSecret", data: { object: `${resource.kind}/${resource.name}`, secret, where }, resource });
      }
    }
    return out;
  },
};
