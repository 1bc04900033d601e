import type { K8sObject, Resource, Violation } from "../types.js";
import { allContainers, containerIsErlang, isErlangNode, podSpec, refOf, type Container } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const COOKIE_ENV = ["RELEASE_COOKIE", "ERLANG_COOKIE"];

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

/** Keys that each Secret or ExternalSecret of the set provides, by `namespace/name`. */
function providedKeys(resources: readonly Resource[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (ns: string, name: string, key: unknown) => {
    if (typeof key !== "string") return;
    const id = `${ns}/${name}`;
    out.set(id, (out.get(id) ?? new Set()).add(key));
  };
  for (const { object } of resources) {
    const { namespace, name } = refOf(object);
    if (object.kind === "Secret")
      for (const key of Object.keys({ ...(object.data as object), ...(object.stringData as object) })) add(namespace, name, key);
    if (object.kind === "ExternalSecret") {
      const spec = (object.spec ?? {}) as Record<string, any>;
      for (const item of Array.isArray(spec.data) ? spec.data : []) add(namespace, spec.target?.name ?? name, item?.secretKey);
    }
  }
  return out;
}

function cookieSources(w: K8sObject, c: Container, provided: Map<string, Set<string>>, cookiePaths: string[]): string[] {
  const ns = refOf(w).namespace;
  const keysOf = (name: unknown) => provided.get(`${ns}/${String(name)}`) ?? new Set<string>();
  const sources = new Set<string>();
  for (const e of Array.isArray(c.env) ? c.env : []) {
    const ref = e?.valueFrom?.secretKeyRef;
    if (COOKIE_ENV.includes(e?.name) && ref) sources.add(`secret:${ref.name}/${ref.key}`);
  }
  for (const ef of Array.isArray(c.envFrom) ? c.envFrom : []) {
    const name = ef?.secretRef?.name;
    if (!name || (ef.prefix ?? "") !== "") continue;
    for (const key of COOKIE_ENV) if (keysOf(name).has(key)) sources.add(`secret:${name}/${key}`);
  }
  const volumes: any[] = Array.isArray(podSpec(w).volumes) ? podSpec(w).volumes : [];
  for (const m of Array.isArray(c.volumeMounts) ? c.volumeMounts : []) {
    for (const vol of volumes) {
      const secret = vol?.secret;
      if (vol?.name !== m?.name || !secret) continue;
      const paths = [m.mountPath];
      if ((m.subPath ?? "") === "") {
        const files = secret.items ? list(secret.items).map((i) => i?.path) : [...keysOf(secret.secretName)];
        for (const f of files) paths.push(`${String(m.mountPath).replace(/\/$/, "")}/${f}`);
      }
      if (paths.some((p) => typeof p === "string" && (p.endsWith(".erlang.cookie") || cookiePaths.includes(p))))
        sources.add(`volume:${secret.secretName}`);
    }
  }
  return [...sources].sort();
}

export const secErlangCookieFromSecret: SetValidator = {
  id: "sec-erlang-cookie-from-secret",
  scope: "set",
  validate(resources, params) {
    const provided = providedKeys(resources);
    const cookiePaths: string[] = Array.isArray(params.cookiePaths) ? params.cookiePaths : [];
    const out: Violation[] = [];
    for (const { object } of resources) {
      if (!isErlangNode(object)) continue;
      const resource = refOf(object);
      const workload = resource.name;
      const described = new Set<string>();
      const distinct = new Set<string>();
      for (const { container } of allContainers(object)) {
        if (!containerIsErlang(container)) continue;
        const source = cookieSources(object, container, provided, cookiePaths).join(",");
        const name = String(container.name ?? "");
        if (source === "") out.push({ messageId: "cookieNotFromSecret", data: { workload, container: name }, resource });
        distinct.add(source);
        described.add(`${name}: ${source || "none"}`);
      }
      if (distinct.size > 1)
        out.push({ messageId: "cookieSourceMismatch", data: { workload, sources: [...described].sort().join("; ") }, resource });
    }
    return out;
  },
};
