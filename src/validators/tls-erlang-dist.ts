import type { K8sObject, Resource, Violation } from "../types.js";
import { selectsAllPods } from "../k8s/selectors.js";
import { configMapTexts, effectiveEnv, providedEnvKeys, type EnvFromKeys } from "../k8s/env.js";
import { allContainers, containerIsErlang, isErlangNode, podLabels, podSpec, refOf, type Container } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const MESH_ROOT_NAMESPACE = "istio-system";
const PROTO_DIST_TLS = /(^|\s)-proto_dist\s+["']?inet6?_tls/;
const SSL_DIST_OPTFILE = /(^|\s)-ssl_dist_optfile\s+["']?[^\s"']/;

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

const FLAG_ENV = new Set(["ERL_FLAGS", "ERL_AFLAGS", "ERL_ZFLAGS", "ELIXIR_ERL_OPTIONS"]);
const VM_FILE = /(vm\.args|vm\.args\.src|sys\.config)$/;

/** The text of every ConfigMap of the set, by `namespace/name` then key (binaryData decoded). */
function configTexts(resources: readonly Resource[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const { object } of resources)
    if (object.kind === "ConfigMap") out.set(`${refOf(object).namespace}/${refOf(object).name}`, new Map(configMapTexts(object)));
  return out;
}

/**
 * The VM's flags, wherever the node reads them: command and args; the winning value (CONTROLS.md
 * Semantics) of each flag variable, literal or from a ConfigMap key; and a vm.args or sys.config of a
 * ConfigMap mounted in the container. Mirrors `flag_text` in policies/tls-erlang-dist/policy.rego.
 */
function flagText(w: K8sObject, c: Container, texts: Map<string, Map<string, string>>, keysOf: EnvFromKeys): string {
  const ns = refOf(w).namespace;
  const textOf = (name: unknown, key: unknown) => texts.get(`${ns}/${String(name)}`)?.get(String(key));
  const fromEnv: string[] = [];
  for (const [name, source] of effectiveEnv(c, keysOf)) {
    if (!FLAG_ENV.has(name)) continue;
    let text: string | undefined;
    if (source.from === "envFrom") text = source.kind === "configMap" ? textOf(source.name, source.key) : undefined;
    else if (typeof source.entry.value === "string") text = source.entry.value;
    else {
      const ref = source.entry.valueFrom?.configMapKeyRef;
      text = ref ? textOf(ref.name, ref.key) : undefined;
    }
    if (text !== undefined) fromEnv.push(text);
  }
  const mounted: string[] = [];
  const volumes = list(podSpec(w).volumes);
  for (const m of list(c.volumeMounts)) {
    for (const vol of volumes) {
      if (vol?.name !== m?.name) continue;
      const configMaps = [vol?.configMap, ...list(vol?.projected?.sources).map((s) => s?.configMap)].filter(
        (cm) => cm !== null && typeof cm === "object" && !Array.isArray(cm),
      );
      for (const cm of configMaps) {
        const items = Array.isArray(cm.items) ? new Set(cm.items.map((i: any) => i?.key)) : undefined;
        for (const [key, text] of texts.get(`${ns}/${String(cm.name)}`) ?? [])
          if ((!items || items.has(key)) && VM_FILE.test(key)) mounted.push(text);
      }
    }
  }
  return [...list(c.command), ...list(c.args), ...fromEnv, ...mounted].join(" ");
}

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
    const texts = configTexts(resources);
    const provided = providedEnvKeys(resources.map((r) => r.object));
    const out: Violation[] = [];
    for (const { object: w } of resources) {
      if (!isErlangNode(w)) continue;
      const flags = (c: Container) => flagText(w, c, texts, provided(refOf(w).namespace));
      const runsTls = (c: Container) => PROTO_DIST_TLS.test(flags(c)) && SSL_DIST_OPTFILE.test(flags(c));
      const containers = allContainers(w).filter(({ container }) => containerIsErlang(container));
      if (containers.every(({ container }) => runsTls(container))) continue;
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
      // No field of the workload is to blame (a PeerAuthentication weakens the port): the finding is about the object.
      if (strict) {
        for (const [peerAuthentication, port] of [...weakenings].map((s) => JSON.parse(s) as [string, string]))
          out.push({ messageId: "mtlsPortWeakened", data: { workload, peerAuthentication, port }, resource });
        continue;
      }
      // The container whose flags lack TLS distribution (they may come from its args, env or a mounted file).
      for (const { container: c, path } of containers) {
        const container = String(c.name ?? "");
        if (!PROTO_DIST_TLS.test(flags(c)))
          out.push({ messageId: "distNotEncrypted", data: { workload, container }, resource, path: [...path] });
        else if (!SSL_DIST_OPTFILE.test(flags(c)))
          out.push({ messageId: "sslDistOptfileMissing", data: { workload, container }, resource, path: [...path] });
      }
    }
    return out;
  },
};
