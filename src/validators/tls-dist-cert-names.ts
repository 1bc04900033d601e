/**
 * tls-dist-cert-names: the certificate an Erlang node presents for TLS distribution names the host part
 * of its node name, or the ssl_dist client options turn the host name check off while pinning the CA.
 * Mirrors policies/tls-dist-cert-names/policy.rego.
 */
import type { K8sObject, Resource, Violation } from "../types.js";
import type { FieldPath } from "../k8s/field-path.js";
import { effectiveEnv, providedEnvKeys, type EnvFromKeys, type EnvSource } from "../k8s/env.js";
import { lastByIdentity } from "../k8s/identity.js";
import {
  configTextsOf,
  envSourceText,
  mountedFile,
  flagReadings,
  nameFlags,
  optfileTexts,
  sslDistSection,
  tlsDist,
  VM_ARGS_FILES,
  type ConfigTexts,
  type FlagReadings,
} from "../k8s/erlang-dist.js";
import { allContainers, containerIsErlang, isErlangNode, refOf, type Container } from "../k8s/workloads.js";
import type { SetValidator } from "./types.js";

// $(VAR) is expanded by the kubelet in env values, command and args; ${VAR} by the release scripts in vm.args.src.
const VAR_REF = /\$\(([A-Za-z_][A-Za-z0-9_]*)\)|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const VERIFY_NONE = /\{\s*verify\s*,\s*verify_none\s*\}/;
const SNI_DISABLED = /\{\s*server_name_indication\s*,\s*disable\s*\}/;
const CA_FILE = /\{\s*(cacertfile|cacerts)\s*,/;
const CERTFILE = /\{\s*certfile\s*,\s*"([^"]+)"/g;

const NODE_ENV = new Set(["RELEASE_NODE", "NODE_NAME"]);
const POD_IP_FIELDS = new Set(["status.podIP", "status.podIPs"]);

type Obj = Record<string, any>;

const isObj = (value: unknown): value is Obj => value !== null && typeof value === "object" && !Array.isArray(value);
const captures = (re: RegExp, text: string): string[] => [...text.matchAll(re)].map((m) => m[1]!);

/** What the names of one certificate are: the label a finding shows and the spec fields it reads. */
interface CertNames {
  label: string;
  spec: Obj;
}

/** Everything one workload's findings are read from: the set's ConfigMap texts, env keys and certificates. */
interface SetIndex {
  texts: ConfigTexts;
  keysOf: (namespace: string) => EnvFromKeys;
  certificates: Map<string, CertNames[]>;
  issuedSecrets: Map<string, CertNames>;
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
function varValue(w: K8sObject, env: Map<string, EnvSource>, texts: ConfigTexts, name: string): VarValue | undefined {
  const src = env.get(name);
  if (!src) return undefined;
  const ns = refOf(w).namespace;
  const fieldPath = src.from === "env" ? src.entry.valueFrom?.fieldRef?.fieldPath : undefined;
  if (fieldPath !== undefined) {
    if (POD_IP_FIELDS.has(fieldPath)) return { podIP: true };
    if (fieldPath === "metadata.name") return { podName: true };
    return fieldPath === "metadata.namespace" && ns !== "" ? { text: ns } : undefined;
  }
  const text = envSourceText(texts, ns, src);
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

/** Indexes the set once: ConfigMap texts, env keys, Certificates and cert-manager-issued Secrets by namespace/name (the last of each identity). */
function indexSet(resources: readonly Resource[]): SetIndex {
  const certificates = new Map<string, CertNames[]>();
  const issuedSecrets = new Map<string, CertNames>();
  // Of two Certificates or Secrets of one identity, the last one exists once the set is applied.
  for (const object of lastByIdentity(resources.map((r) => r.object))) {
    const { namespace, name } = refOf(object);
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
  const objects = resources.map((r) => r.object);
  return { texts: configTextsOf(objects), keysOf: providedEnvKeys(objects), certificates, issuedSecrets };
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
function nodeNames(w: K8sObject, c: Container, path: FieldPath, env: Map<string, EnvSource>, flags: FlagReadings, texts: ConfigTexts) {
  const out: Array<{ node: string; path: FieldPath }> = [];
  for (const [name, src] of env) {
    if (!NODE_ENV.has(name)) continue;
    const node = envSourceText(texts, refOf(w).namespace, src);
    if (node !== undefined) out.push({ node, path: [...path, src.from, src.index] });
  }
  for (const node of nameFlags(flags)) out.push({ node, path });
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
        // The VM's init flags in the order it reads them, one token list per reading of the command line (see flagReadings).
        const flags = flagReadings(w, c, env, index.texts, VM_ARGS_FILES);
        if (!tlsDist(flags)) continue;
        for (const text of optfileTexts(w, c, flags, index.texts)) {
          const client = sslDistSection(text, "client");
          for (const cert of serverCerts(w, c, sslDistSection(text, "server"), index))
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
