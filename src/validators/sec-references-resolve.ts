import type { K8sObject, Violation } from "../types.js";
import type { FieldPath } from "../k8s/field-path.js";
import { allContainers, podSpec, podSpecPath, refOf } from "../k8s/workloads.js";
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

/** A non-optional Secret reference: the name, where the object makes it, and the path of the name. */
interface SecretReference {
  secret: unknown;
  where: string;
  path: FieldPath;
}

/** Every non-optional Secret reference of an object. */
function secretReferences(obj: K8sObject): SecretReference[] {
  const refs: SecretReference[] = [];
  const add = (ref: any, key: "name" | "secretName", where: string, path: FieldPath) => {
    if (ref && !ref.optional) refs.push({ secret: ref[key], where, path: [...path, key] });
  };
  for (const { container: c, path } of allContainers(obj)) {
    list(c.env).forEach((e, i) =>
      add(e?.valueFrom?.secretKeyRef, "name", `container ${c.name} env ${e?.name}`, [...path, "env", i, "valueFrom", "secretKeyRef"]),
    );
    list(c.envFrom).forEach((ef, i) => add(ef?.secretRef, "name", `container ${c.name} envFrom`, [...path, "envFrom", i, "secretRef"]));
  }
  const spec = podSpec(obj);
  const specPath = podSpecPath(obj);
  list(spec.volumes).forEach((v, i) => {
    add(v?.secret, "secretName", `volume ${v?.name}`, [...specPath, "volumes", i, "secret"]);
    list(v?.projected?.sources).forEach((source, j) =>
      add(source?.secret, "name", `projected volume ${v?.name}`, [...specPath, "volumes", i, "projected", "sources", j, "secret"]),
    );
  });
  list(spec.imagePullSecrets).forEach((ref, i) =>
    refs.push({ secret: ref?.name, where: "imagePullSecrets", path: [...specPath, "imagePullSecrets", i, "name"] }),
  );
  if (obj.kind === "Ingress")
    list((obj.spec as Record<string, any> | undefined)?.tls).forEach((t, i) =>
      refs.push({ secret: t?.secretName, where: `tls ${i}`, path: ["spec", "tls", i, "secretName"] }),
    );
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
      for (const { secret, where, path } of secretReferences(object)) {
        if (typeof secret !== "string" || produced.has(`${resource.namespace}/${secret}`)) continue;
        out.push({
          messageId: "unresolvedSecret",
          data: { object: `${resource.kind}/${resource.name}`, secret, where },
          resource,
          path: [...path],
        });
      }
    }
    return out;
  },
};
