import type { K8sObject, Resource, Violation } from "../types.js";
import { selectsAllPods } from "../k8s/selectors.js";
import { effectiveEnv, providedEnvKeys } from "../k8s/env.js";
import { configTextsOf, distRanges, flagReadings, hasOptfile, tlsDist, VM_ARGS_FILES } from "../k8s/erlang-dist.js";
import { allContainers, containerIsErlang, isErlangNode, podLabels, refOf, type Container } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const MESH_ROOT_NAMESPACE = "istio-system";

type Pa = K8sObject & { spec?: Record<string, any> };
const selectorLabels = (pa: Pa): Record<string, string> => pa.spec?.selector?.matchLabels ?? {};
const hasSelector = (pa: Pa) => Object.keys(selectorLabels(pa)).length > 0;

function setModes(pas: Pa[]): Set<string> {
  return new Set(pas.map((pa) => pa.spec?.mtls?.mode ?? "UNSET").filter((m) => m !== "UNSET"));
}

export const tlsErlangDist: SetValidator = {
  id: "tls-erlang-dist",
  scope: "set",
  validate(resources: readonly Resource[], params) {
    const a = typeof params.distPortMin === "number" ? params.distPortMin : 9100;
    const b = typeof params.distPortMax === "number" ? params.distPortMax : 9105;
    const fallback = { min: Math.min(a, b), max: Math.max(a, b) };
    const peerAuths = resources
      .map((r) => r.object as Pa)
      .filter((o) => o.kind === "PeerAuthentication" && String(o.apiVersion ?? "").startsWith("security.istio.io/"));
    const meshLevel = peerAuths.filter((pa) => refOf(pa).namespace === MESH_ROOT_NAMESPACE && !hasSelector(pa));
    const objects = resources.map((r) => r.object);
    const texts = configTextsOf(objects);
    const provided = providedEnvKeys(objects);
    const out: Violation[] = [];
    for (const { object: w } of resources) {
      if (!isErlangNode(w)) continue;
      const env = (c: Container) => effectiveEnv(c, provided(refOf(w).namespace));
      // The VM's init flags in the order it reads them, one token list per reading of the command line
      // (see flagReadings); TLS only when -proto_dist occurs once and names inet_tls/inet6_tls alone, in every
      // reading. No sys.config setting turns TLS distribution on: -proto_dist and -ssl_dist_optfile are flags only.
      const dist = new Map<Container, { tls: boolean; optfile: boolean }>();
      const distOf = (c: Container) => {
        if (!dist.has(c)) {
          const readings = flagReadings(w, c, env(c), texts, VM_ARGS_FILES);
          dist.set(c, { tls: tlsDist(readings), optfile: hasOptfile(readings) });
        }
        return dist.get(c)!;
      };
      const runsTls = (c: Container) => distOf(c).tls && distOf(c).optfile;
      const containers = allContainers(w).filter(({ container }) => containerIsErlang(container));
      if (containers.every(({ container }) => runsTls(container))) continue;
      const resource = refOf(w);
      // EPMD and the ports the node listens on: each node container's range its flags, over its mounted
      // sys.config, pin (see distRanges), else distPortMin-distPortMax.
      const ranges = distRanges(w, env, texts, fallback);
      const isDistPort = (key: string) =>
        /^[0-9]+$/.test(key) && (Number(key) === 4369 || ranges.some(({ min, max }) => Number(key) >= min && Number(key) <= max));
      const inNamespace = peerAuths.filter((pa) => refOf(pa).namespace === resource.namespace);
      const workloadLevel = inNamespace.filter(
        (pa) =>
          hasSelector(pa) && selectsAllPods({ matchLabels: selectorLabels(pa) }, { kind: resource.kind, templateLabels: podLabels(w) }),
      );
      const namespaceLevel = inNamespace.filter((pa) => !hasSelector(pa));
      const modes = [workloadLevel, namespaceLevel, meshLevel].map(setModes).find((m) => m.size > 0) ?? new Set();
      const strict = modes.size === 1 && modes.has("STRICT");
      const weakenings = new Set<string>();
      for (const pa of [...workloadLevel, ...namespaceLevel, ...meshLevel]) {
        for (const [key, setting] of Object.entries(pa.spec?.portLevelMtls ?? {})) {
          if (isDistPort(key) && ((setting as any)?.mode ?? "UNSET") !== "STRICT") weakenings.add(JSON.stringify([refOf(pa).name, key]));
        }
      }
      if (strict && weakenings.size === 0) continue;
      const workload = resource.name;
      // No field of the workload is to blame (a PeerAuthentication weakens the port): the finding is about the object.
      if (strict) {
        for (const [peerAuthentication, port] of [...weakenings].map((s) => JSON.parse(s) as [string, string]))
          out.push({ messageId: "mtlsPortWeakened", data: { workload, peerAuthentication, port }, resource });
        continue;
      }
      // The container whose flags lack TLS distribution (they may come from its args, env or a mounted file).
      for (const { container: c, path } of containers) {
        const container = String(c.name ?? "");
        if (!distOf(c).tls) out.push({ messageId: "distNotEncrypted", data: { workload, container }, resource, path: [...path] });
        else if (!distOf(c).optfile)
          out.push({ messageId: "sslDistOptfileMissing", data: { workload, container }, resource, path: [...path] });
      }
    }
    return out;
  },
};
