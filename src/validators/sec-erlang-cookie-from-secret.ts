import type { K8sObject, Violation } from "../types.js";
import { effectiveEnv, fromSecret, providedEnvKeys, type EnvFromKeys, type EnvSource } from "../k8s/env.js";
import { closestPath, type FieldPath } from "../k8s/field-path.js";
import { allContainers, containerIsErlang, isErlangNode, podSpec, podSpecPath, refOf, type Container } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const COOKIE_ENV = ["RELEASE_COOKIE", "ERLANG_COOKIE"];

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

/** The winning source of each cookie variable the container sets (last env entry of a name, env over envFrom). */
function winningCookies(c: Container, keysOf: EnvFromKeys): EnvSource[] {
  const env = effectiveEnv(c, keysOf);
  return COOKIE_ENV.flatMap((name) => (env.has(name) ? [env.get(name)!] : []));
}

function volumeSources(w: K8sObject, c: Container, keysOf: EnvFromKeys, cookiePaths: string[]): string[] {
  const sources: string[] = [];
  const volumes = list(podSpec(w).volumes);
  for (const m of list(c.volumeMounts)) {
    for (const vol of volumes) {
      const secret = vol?.secret;
      if (vol?.name !== m?.name || !secret) continue;
      const paths = [m.mountPath];
      if ((m.subPath ?? "") === "") {
        const files = secret.items ? list(secret.items).map((i) => i?.path) : [...(keysOf("secret", secret.secretName) ?? [])];
        for (const f of files) paths.push(`${String(m.mountPath).replace(/\/$/, "")}/${f}`);
      }
      if (paths.some((p) => typeof p === "string" && (p.endsWith(".erlang.cookie") || cookiePaths.includes(p))))
        sources.push(`volume:${secret.secretName}`);
    }
  }
  return sources;
}

export const secErlangCookieFromSecret: SetValidator = {
  id: "sec-erlang-cookie-from-secret",
  scope: "set",
  validate(resources, params) {
    const provided = providedEnvKeys(resources.map((r) => r.object));
    const cookiePaths: string[] = Array.isArray(params.cookiePaths) ? params.cookiePaths : [];
    const out: Violation[] = [];
    for (const { object } of resources) {
      if (!isErlangNode(object)) continue;
      const resource = refOf(object);
      const workload = resource.name;
      const keysOf = provided(resource.namespace);
      const described = new Set<string>();
      const distinct = new Set<string>();
      for (const { container, path } of allContainers(object)) {
        if (!containerIsErlang(container)) continue;
        const cookies = winningCookies(container, keysOf);
        const fromSecrets = cookies.flatMap((s) => {
          const ref = fromSecret(s);
          return ref ? [`secret:${ref.name}/${ref.key}`] : [];
        });
        const source = [...new Set([...fromSecrets, ...volumeSources(object, container, keysOf, cookiePaths)])].sort().join(",");
        const name = String(container.name ?? "");
        // The env/envFrom entry whose winning value is a literal, a ConfigMap or a field; with no cookie at all, the env (where one is added).
        const failing: FieldPath[] = cookies.filter((s) => !fromSecret(s)).map((s) => [...path, s.from, s.index]);
        if (cookies.length === 0 && source === "") failing.push([...path, "env"]);
        for (const at of failing)
          out.push({ messageId: "cookieNotFromSecret", data: { workload, container: name }, resource, path: [...closestPath(object, at)] });
        distinct.add(source);
        described.add(`${name}: ${source || "none"}`);
      }
      if (distinct.size > 1)
        // The containers disagree: the pod spec that holds them.
        out.push({
          messageId: "cookieSourceMismatch",
          data: { workload, sources: [...described].sort().join("; ") },
          resource,
          path: [...podSpecPath(object)],
        });
    }
    return out;
  },
};
