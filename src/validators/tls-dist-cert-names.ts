/**
 * tls-dist-cert-names: the certificate an Erlang node presents for TLS distribution names the host part
 * of its node name, or the ssl_dist client options turn the host name check off while pinning the CA.
 * Mirrors policies/tls-dist-cert-names/policy.rego.
 */
import type { K8sObject, Resource, Violation } from "../types.js";
import type { FieldPath } from "../k8s/field-path.js";
import { configMapTexts, effectiveEnv, providedEnvKeys, type EnvFromKeys, type EnvSource } from "../k8s/env.js";
import { allContainers, containerIsErlang, isErlangNode, podSpec, refOf, type Container } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

const PROTO_DIST_TLS = /(^|\s)-proto_dist\s+["']?inet6?_tls/;
const OPTFILE_FLAG = /(?:^|\s)-ssl_dist_optfile\s+["']?([^\s"']+)/g;
const NAME_FLAG = /(?:^|\s)-s?name\s+["']?([^\s"']+)/g;
// $(VAR) is expanded by the kubelet in env values, command and args; ${VAR} by the release scripts in vm.args.src.
const VAR_REF = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const SECTION = /\{\s*(server|client)\s*,/g;
const SECTION_SPLIT = /\{\s*(?:server|client)\s*,/;
const VERIFY_NONE = /\{\s*verify\s*,\s*verify_none\s*\}/;
const SNI_DISABLED = /\{\s*server_name_indication\s*,\s*disable\s*\}/;
const CA_FILE = /\{\s*(cacertfile|cacerts)\s*,/;
const CERTFILE = /\{\s*certfile\s*,\s*"([^"]+)"/g;

const FLAG_ENV = new Set(["ERL_FLAGS", "ERL_AFLAGS", "ERL_ZFLAGS", "ELIXIR_ERL_OPTIONS"]);
const NODE_ENV = new Set(["RELEASE_NODE", "NODE_NAME"]);
const POD_IP_FIELDS = new Set(["status.podIP", "status.podIPs"]);

type Texts = Map<string, Map<string, string>>;
type Obj = Record<string, any>;

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);
const isObj = (value: unknown): value is Obj => value !== null && typeof value === "object" && !Array.isArray(value);
const captures = (re: RegExp, text: string): string[] => [...text.matchAll(re)].map((m) => m[1]!);

/** What the names of one certificate are: the label a finding shows and the spec fields it reads. */
interface CertNames {
  label: string;
  spec: Obj;
}

/** Everything one workload's findings are read from: the set's ConfigMap texts, env keys and certificates. */
interface SetIndex {
  texts: Texts;
  keysOf: (namespace: string) => EnvFromKeys;
  certificates: Map<string, CertNames[]>;
  issuedSecrets: Map<string, CertNames>;
}

/** The winning value's text of a variable: literal, or from a ConfigMap key. Mirrors `env_text`. */
function envText(texts: Texts, ns: string, src: EnvSource): string | undefined {
  const textOf = (name: unknown, key: unknown) => texts.get(`${ns}/${String(name)}`)?.get(String(key));
  if (src.from === "envFrom") return src.kind === "configMap" ? textOf(src.name, src.key) : undefined;
  if (typeof src.entry.value === "string") return src.entry.value;
  const ref = src.entry.valueFrom?.configMapKeyRef;
  return isObj(ref) ? textOf(ref.name, ref.key) : undefined;
}

/** The configMap or secret sources of a volume, projected ones included, each with its object name under `name`. */
function volumeSources(vol: unknown, kind: "configMap" | "secret"): Obj[] {
  if (!isObj(vol)) return [];
  if (isObj(vol.projected))
    return list(vol.projected.sources)
      .filter((s) => isObj(s?.[kind]))
      .map((s) => s[kind]);
  if (kind === "configMap") return isObj(vol.configMap) ? [vol.configMap] : [];
  return isObj(vol.secret) ? [{ ...vol.secret, name: vol.secret.secretName ?? "" }] : [];
}

/** Whether a key of a volume source is mounted (`items` absent: every key). Mirrors `key_mounted`. */
function keyMounted(src: Obj, key: string): boolean {
  if (src.items === undefined || src.items === null || src.items === false) return src.items !== null;
  return list(src.items).some((item) => item?.key === key);
}

/** The key a path inside the volume shows. Mirrors `key_at`. */
function keyAt(src: Obj, rel: string): string[] {
  if (src.items === undefined || src.items === false) return [rel];
  return list(src.items)
    .filter((item) => item?.path === rel)
    .map((item) => item.key);
}

/** The path inside the volume at which a mount shows `file`. Mirrors `path_in_volume`. */
function pathInVolume(m: Obj, file: string): string | undefined {
  const subPath = m.subPath ?? "";
  if (file === m.mountPath && subPath !== "") return subPath;
  const dir = `${String(m.mountPath).replace(/\/$/, "")}/`;
  if (!file.startsWith(dir)) return undefined;
  const rest = file.slice(dir.length);
  return subPath === "" ? rest : `${subPath}/${rest}`;
}

/** [source, key] of every ConfigMap or Secret key the container sees at `file`. Mirrors `mounted_file`. */
function mountedFile(w: K8sObject, c: Container, file: string, kind: "configMap" | "secret"): Array<[Obj, string]> {
  const out: Array<[Obj, string]> = [];
  for (const m of list(c.volumeMounts)) {
    if (typeof m?.mountPath !== "string") continue;
    const rel = pathInVolume(m, file);
    if (rel === undefined) continue;
    for (const vol of list(podSpec(w).volumes))
      if (vol?.name === m.name) for (const src of volumeSources(vol, kind)) for (const key of keyAt(src, rel)) out.push([src, key]);
  }
  return out;
}

/** The VM's flags: command, args, the flag variables and mounted vm.args files. Mirrors `flag_text`. */
function flagText(w: K8sObject, c: Container, env: Map<string, EnvSource>, texts: Texts): string {
  const ns = refOf(w).namespace;
  const fromEnv = [...env].filter(([name]) => FLAG_ENV.has(name)).map(([, src]) => envText(texts, ns, src));
  const mounted: string[] = [];
  for (const m of list(c.volumeMounts))
    for (const vol of list(podSpec(w).volumes)) {
      if (!isObj(vol) || !isObj(m) || vol.name !== m.name) continue;
      for (const cm of volumeSources(vol, "configMap"))
        for (const [key, text] of texts.get(`${ns}/${String(cm.name)}`) ?? [])
          if (keyMounted(cm, key) && /(vm\.args|vm\.args\.src)$/.test(key)) mounted.push(text);
    }
  return [...list(c.command), ...list(c.args), ...fromEnv.filter((t) => t !== undefined), ...mounted].join(" ");
}

/** The {server, ...} or {client, ...} options of an ssl_dist file, comments removed. Mirrors `section_text`. */
function sectionText(text: string, side: "server" | "client"): string {
  const clean = text.split(/%[^\n]*/).join("\n");
  const sides = [...clean.matchAll(SECTION)].map((m) => m[1]);
  const parts = clean.split(SECTION_SPLIT);
  return sides
    .map((s, i) => [s, parts[i + 1] ?? ""] as const)
    .filter(([s]) => s === side)
    .map(([, part]) => part)
    .join("\n");
}

const verifyNone = (client: string) => VERIFY_NONE.test(client);
const hostCheckOff = (client: string) => verifyNone(client) || SNI_DISABLED.test(client);
const caPinned = (client: string) => !verifyNone(client) && CA_FILE.test(client);

function stringsOf(spec: Obj, field: string): string[] {
  const value = spec[field];
  const items = Array.isArray(value) ? value : isObj(value) ? Object.values(value) : [];
  return items.filter((s): s is string => typeof s === "string");
}

/** The names a host name check accepts: the SANs; the common name only when there is no SAN. Mirrors `dns_names`. */
function dnsNames(spec: Obj): string[] {
  if (stringsOf(spec, "dnsNames").length + stringsOf(spec, "ipAddresses").length > 0) return stringsOf(spec, "dnsNames");
  return typeof spec.commonName === "string" && spec.commonName !== "" ? [spec.commonName] : [];
}

const certNames = (spec: Obj): string => [...dnsNames(spec), ...stringsOf(spec, "ipAddresses")].sort().join(", ");

function covered(host: string, spec: Obj): boolean {
  const parts = host.split(".");
  return (
    dnsNames(spec).some(
      (name) =>
        name.toLowerCase() === host.toLowerCase() ||
        (name.startsWith("*.") &&
          parts.length > 1 &&
          parts[0] !== "" &&
          parts.slice(1).join(".").toLowerCase() === name.slice(2).toLowerCase()),
    ) || stringsOf(spec, "ipAddresses").includes(host)
  );
}

type VarValue = { podIP: true } | { podName: true } | { text: string };

/** What a referenced variable holds; undefined when unknown. Mirrors `var_value`. */
function varValue(w: K8sObject, env: Map<string, EnvSource>, texts: Texts, name: string): VarValue | undefined {
  const src = env.get(name);
  if (!src) return undefined;
  const ns = refOf(w).namespace;
  const fieldPath = src.from === "env" ? src.entry.valueFrom?.fieldRef?.fieldPath : undefined;
  if (fieldPath !== undefined) {
    if (POD_IP_FIELDS.has(fieldPath)) return { podIP: true };
    if (fieldPath === "metadata.name") return { podName: true };
    return fieldPath === "metadata.namespace" && ns !== "" ? { text: ns } : undefined;
  }
  const text = envText(texts, ns, src);
  return text !== undefined && !text.includes("$") ? { text } : undefined;
}

/**
 * Whether a host is rejected as a pod IP (true) or as a name the certificate lacks (false); undefined
 * when the certificate covers it or a variable of it is unknown. Mirrors `rejected_as`.
 */
function rejectedAs(host: string, spec: Obj, valueOf: (name: string) => VarValue | undefined): boolean | undefined {
  const refs = [...host.matchAll(VAR_REF)].map((m) => ({ token: m[0], value: valueOf(m[1] ?? m[2]!) }));
  if (refs.some((r) => r.value && "podIP" in r.value)) return true;
  if (refs.some((r) => r.value === undefined)) return undefined;
  const replacements = new Map(refs.flatMap((r) => (r.value && "text" in r.value ? [[r.token, r.value.text] as const] : [])));
  const resolved = host.replace(VAR_REF, (token) => replacements.get(token) ?? token);
  return covered(resolved, spec) ? undefined : false;
}

/** Indexes the set once: ConfigMap texts, env keys, Certificates and cert-manager-issued Secrets by namespace/name. */
function indexSet(resources: readonly Resource[]): SetIndex {
  const texts: Texts = new Map();
  const certificates = new Map<string, CertNames[]>();
  const issuedSecrets = new Map<string, CertNames>();
  for (const { object } of resources) {
    const { namespace, name } = refOf(object);
    if (object.kind === "ConfigMap") texts.set(`${namespace}/${name}`, new Map(configMapTexts(object)));
    const spec = object.spec;
    if (object.kind === "Certificate" && String(object.apiVersion ?? "").startsWith("cert-manager.io/") && isObj(spec)) {
      if (typeof spec.secretName !== "string") continue;
      const key = `${namespace}/${spec.secretName}`;
      certificates.set(key, [...(certificates.get(key) ?? []), { label: `Certificate/${name}`, spec }]);
    }
    const annotations = object.metadata?.annotations;
    if (object.kind === "Secret" && isObj(annotations)) {
      const names = (a: string) =>
        String(annotations[a] ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
      if (typeof annotations["cert-manager.io/alt-names"] !== "string" && typeof annotations["cert-manager.io/ip-sans"] !== "string")
        continue;
      issuedSecrets.set(`${namespace}/${name}`, {
        label: `Secret/${name}`,
        spec: {
          dnsNames: names("cert-manager.io/alt-names"),
          ipAddresses: names("cert-manager.io/ip-sans"),
          commonName: annotations["cert-manager.io/common-name"] ?? "",
        },
      });
    }
  }
  return { texts, keysOf: providedEnvKeys(resources.map((r) => r.object)), certificates, issuedSecrets };
}

/** The certificates behind the server certfiles of an ssl_dist file. Mirrors `server_certs`. */
function serverCerts(w: K8sObject, c: Container, server: string, index: SetIndex): CertNames[] {
  const ns = refOf(w).namespace;
  const out: CertNames[] = [];
  for (const file of new Set(captures(CERTFILE, server)))
    for (const [src] of mountedFile(w, c, file, "secret")) {
      const key = `${ns}/${String(src.name)}`;
      const certs = index.certificates.get(key);
      if (certs && certs.length > 0) out.push(...certs);
      else if (index.issuedSecrets.has(key)) out.push(index.issuedSecrets.get(key)!);
    }
  return out;
}

/** [node name, field path] of every name the node may take. Mirrors `node_names`. */
function nodeNames(w: K8sObject, c: Container, path: FieldPath, env: Map<string, EnvSource>, flags: string, texts: Texts) {
  const out: Array<{ node: string; path: FieldPath }> = [];
  for (const [name, src] of env) {
    if (!NODE_ENV.has(name)) continue;
    const node = envText(texts, refOf(w).namespace, src);
    if (node !== undefined) out.push({ node, path: [...path, src.from, src.index] });
  }
  for (const node of captures(NAME_FLAG, flags)) out.push({ node, path });
  return out;
}

const hostOf = (node: string): string | undefined => (node.includes("@") ? node.slice(node.indexOf("@") + 1) : undefined);

/** tls-dist-cert-names: a node name its distribution certificate does not cover, unless the host check is off and CA-pinned. */
export const tlsDistCertNames: SetValidator = {
  id: "tls-dist-cert-names",
  scope: "set",
  validate(resources) {
    const index = indexSet(resources);
    const out = new Map<string, Violation>();
    for (const { object: w } of resources) {
      if (!isErlangNode(w)) continue;
      const resource = refOf(w);
      for (const { container: c, path } of allContainers(w)) {
        if (!containerIsErlang(c)) continue;
        const env = effectiveEnv(c, index.keysOf(resource.namespace));
        const flags = flagText(w, c, env, index.texts);
        if (!PROTO_DIST_TLS.test(flags)) continue;
        const optfiles = new Set(
          captures(OPTFILE_FLAG, flags).flatMap((file) =>
            mountedFile(w, c, file, "configMap").flatMap(([src, key]) => {
              const text = index.texts.get(`${resource.namespace}/${String(src.name)}`)?.get(key);
              return text === undefined ? [] : [text];
            }),
          ),
        );
        for (const text of optfiles) {
          const client = sectionText(text, "client");
          for (const cert of serverCerts(w, c, sectionText(text, "server"), index))
            for (const { node, path: at } of nodeNames(w, c, path, env, flags, index.texts)) {
              const host = hostOf(node);
              const byIp = host === undefined ? undefined : rejectedAs(host, cert.spec, (name) => varValue(w, env, index.texts, name));
              if (byIp === undefined) continue;
              const messageId = hostCheckOff(client)
                ? caPinned(client)
                  ? undefined
                  : "hostCheckOffNotPinned"
                : byIp
                  ? "nodeNamedByPodIp"
                  : "nodeNameNotCovered";
              if (!messageId) continue;
              const data = { workload: resource.name, container: c.name ?? "", node, certificate: cert.label, names: certNames(cert.spec) };
              const violation: Violation = { messageId, data, resource, path: [...at] };
              out.set(JSON.stringify(violation), violation);
            }
        }
      }
    }
    return [...out.values()];
  },
};
