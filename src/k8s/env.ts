/**
 * A container's environment as the kubelet builds it (mirrors policies/lib/env.rego): `envFrom` sources
 * in order, each key under its `prefix`, a later source overriding an earlier one; then `env` entries in
 * order, a later entry of a name overriding an earlier one and every `envFrom` value of that name.
 */
import type { K8sObject } from "../types.js";
import { lastByIdentity } from "./identity.js";
import type { Container } from "./workloads.js";
import { asRecord } from "../records.js";

/** Where the winning value of one variable comes from. */
export type EnvSource =
  | { from: "env"; index: number; entry: Record<string, any> }
  | { from: "envFrom"; index: number; kind: "secret" | "configMap"; name: string; key: string };

/**
 * The keys a Secret or ConfigMap named by an `envFrom` source provides, or undefined when the set does
 * not show them (the source then adds no variable the audit can name).
 */
export type EnvFromKeys = (kind: "secret" | "configMap", name: string) => readonly string[] | undefined;

/** Every variable of the container's environment with the source that wins it. */
export function effectiveEnv(container: Container, keysOf: EnvFromKeys = () => undefined): Map<string, EnvSource> {
  const out = new Map<string, EnvSource>();
  const envFrom: unknown[] = Array.isArray(container.envFrom) ? container.envFrom : [];
  envFrom.forEach((item, index) => {
    const source = asRecord(item);
    const prefix = typeof source?.prefix === "string" ? source.prefix : "";
    for (const kind of ["secret", "configMap"] as const) {
      const name = asRecord(source?.[`${kind}Ref`])?.name;
      if (typeof name !== "string") continue;
      for (const key of keysOf(kind, name) ?? []) out.set(prefix + key, { from: "envFrom", index, kind, name, key });
    }
  });
  const env: unknown[] = Array.isArray(container.env) ? container.env : [];
  env.forEach((item, index) => {
    const entry = asRecord(item);
    if (typeof entry?.name === "string") out.set(entry.name, { from: "env", index, entry });
  });
  return out;
}

/** The literal text a winning source sets, if it is an `env` entry with a string `value`. */
export function literalValue(source: EnvSource | undefined): string | undefined {
  if (source?.from !== "env") return undefined;
  const value = source.entry.value;
  return typeof value === "string" ? value : undefined;
}

/** Whether the winning source reads a Secret (`secretKeyRef` or an `envFrom` `secretRef`). */
export function fromSecret(source: EnvSource): { name: string; key: string } | undefined {
  if (source.from === "envFrom") return source.kind === "secret" ? { name: source.name, key: source.key } : undefined;
  const ref = asRecord(asRecord(source.entry.valueFrom)?.secretKeyRef);
  return ref ? { name: String(ref.name ?? ""), key: String(ref.key ?? "") } : undefined;
}

/**
 * The keys each Secret (data, stringData; an ExternalSecret's target keys) and ConfigMap (data,
 * binaryData) of the set provides, for `envFrom` sources read in one namespace; of two objects of one
 * identity, only the last one (lastByIdentity). Mirrors `provided_keys` in policies/lib/env.rego.
 */
export function providedEnvKeys(objects: readonly K8sObject[]): (namespace: string) => EnvFromKeys {
  const keys = new Map<string, Set<string>>();
  const add = (kind: string, namespace: string, name: unknown, key: unknown) => {
    if (typeof name !== "string" || typeof key !== "string") return;
    const id = JSON.stringify([kind, namespace, name]);
    keys.set(id, (keys.get(id) ?? new Set()).add(key));
  };
  const keysOf = (value: unknown) => Object.keys(asRecord(value) ?? {});
  for (const object of lastByIdentity(objects)) {
    const namespace = typeof object.metadata?.namespace === "string" ? object.metadata.namespace : "";
    const name = object.metadata?.name;
    if (object.kind === "Secret")
      for (const key of [...keysOf(object.data), ...keysOf(object.stringData)]) add("secret", namespace, name, key);
    if (object.kind === "ConfigMap")
      for (const key of [...keysOf(object.data), ...keysOf(object.binaryData)]) add("configMap", namespace, name, key);
    if (object.kind === "ExternalSecret") {
      const spec = asRecord(object.spec);
      const target = asRecord(spec?.target)?.name ?? name;
      for (const item of Array.isArray(spec?.data) ? spec.data : []) add("secret", namespace, target, asRecord(item)?.secretKey);
    }
  }
  return (namespace) => (kind, name) => {
    const found = keys.get(JSON.stringify([kind, namespace, name]));
    return found ? [...found] : undefined;
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The text of every ConfigMap value: `data` as written and `binaryData` decoded from base64, as the
 * kubelet hands both to a container. Mirrors `config_map_texts` in policies/lib/env.rego.
 */
export function configMapTexts(object: K8sObject): Array<[string, string]> {
  return configMapTextEntries(object).map(({ key, text }) => [key, text]);
}

/** One text of a ConfigMap and the field it is read from (the field a finding points at). */
export interface ConfigMapText {
  field: "data" | "binaryData";
  key: string;
  text: string;
}

/** The texts of {@link configMapTexts}, each with its field. Mirrors `config_map_text_entries` in policies/lib/env.rego. */
export function configMapTextEntries(object: K8sObject): ConfigMapText[] {
  const out: ConfigMapText[] = [];
  // By key, not Object.entries: no [key, value] pair per entry (a 20,000-key ConfigMap at the webhook: 5.6 → 3 ms).
  const data = asRecord(object.data) ?? {};
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (typeof value === "string") out.push({ field: "data", key, text: value });
  }
  const binaryData = asRecord(object.binaryData) ?? {};
  for (const key of Object.keys(binaryData)) {
    const value = binaryData[key];
    if (typeof value === "string" && BASE64.test(value))
      out.push({ field: "binaryData", key, text: Buffer.from(value, "base64").toString("utf8") });
  }
  return out;
}
