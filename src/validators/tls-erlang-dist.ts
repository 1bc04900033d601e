import type { K8sObject, Resource, Violation } from "../types.js";
import { selectsAllPods } from "../k8s/selectors.js";
import { allContainers, containerIsErlang, isErlangNode, podLabels, refOf, type Container } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const MESH_ROOT_NAMESPACE = "istio-system";
const PROTO_DIST_TLS = /(^|\s)-proto_dist\s+["']?inet6?_tls/;
const SSL_DIST_OPTFILE = /(^|\s)-ssl_dist_optfile\s+["']?[^\s"']/;

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

function flagText(c: Container): string {
  const env = list(c.env)
    .filter((e) => (e?.name === "ERL_FLAGS" || e?.name === "ERL_AFLAGS") && typeof e.value === "string")
    .map((e) => e.value);
  return [...list(c.command), ...list(c.args), ...env].join(" ");
}

const runsTls = (c: Container) => PROTO_DIST_TLS.test(flagText(c)) && SSL_DIST_OPTFILE.test(flagText(c));

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
    const min = typeof params.distPortMin === "number" ? params.distPortMin : 9100;
    const max = typeof params.distPortMax === "number" ? params.distPortMax : 9105;
    const isDistPort = (key: string) => /^[0-9]+$/.test(key) && (Number(key) === 4369 || (Number(key) >= min && Number(key) <= max));
    const peerAuths = resources
      .map((r) => r.object as Pa)
      .filter((o) => o.kind === "PeerAuthentication" && String(o.apiVersion ?? "").startsWith("security.istio.io/"));
    const meshLevel = peerAuths.filter((pa) => refOf(pa).namespace === MESH_ROOT_NAMESPACE && !hasSelector(pa));
    const out: Violation[] = [];
    for (const { object: w } of resources) {
      if (!isErlangNode(w)) continue;
      const containers = allContainers(w)
        .map(({ container }) => container)
        .filter(containerIsErlang);
      if (containers.every(runsTls)) continue;
      const resource = refOf(w);
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
      if (strict) {
        for (const [peerAuthentication, port] of [...weakenings].map((s) => JSON.parse(s) as [string, string]))
          out.push({ messageId: "mtlsPortWeakened", data: { workload, peerAuthentication, port }, resource });
        continue;
      }
      for (const c of containers) {
        const container = String(c.name ?? "");
        if (!PROTO_DIST_TLS.test(flagText(c))) out.push({ messageId: "distNotEncrypted", data: { workload, container }, resource });
        else if (!SSL_DIST_OPTFILE.test(flagText(c)))
          out.push({ messageId: "sslDistOptfileMissing", data: { workload, container }, resource });
      }
    }
    return out;
  },
};
