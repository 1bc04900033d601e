import type { K8sObject, Violation } from "../types.js";
import { configMapTexts } from "../k8s/env.js";
import { allContainers, isWorkload, refOf, type Container } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

const CREDENTIAL_NAME = /(COOKIE|PASS(WORD)?|SECRET|TOKEN|API[-_]?KEY|PRIVATE[-_]?KEY|CREDENTIAL)/i;
const SETCOOKIE_ARG = /(?:^|\s)-setcookie\s+["']?([^\s"']+)/g;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/;
const CREDENTIAL_ASSIGNMENT =
  /(^|[^A-Za-z0-9])[A-Za-z0-9_.-]*(password|passwd|secret|token|api_?key|private_?key|credential|cookie)["']?\s*[=:]\s*["']?[^\s"'$<{]/i;

export function hasLiteralSetcookie(text: string): boolean {
  return [...text.matchAll(SETCOOKIE_ARG)].some((m) => !(m[1] ?? "").startsWith("$"));
}

/** Where a container passes flags: command + args, and every literal env value (ERL_FLAGS, ELIXIR_ERL_OPTIONS, ...). */
function commandTexts(c: Container): Array<[string, string]> {
  const argv = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])];
  const texts: Array<[string, string]> = [["command/args", argv.join(" ")]];
  for (const e of Array.isArray(c.env) ? c.env : []) {
    if (typeof e?.name === "string" && typeof e.value === "string") texts.push([`env ${e.name}`, e.value]);
  }
  return texts;
}

function validateWorkload(object: K8sObject, add: (id: string, data: Violation["data"]) => void): void {
  for (const { container } of allContainers(object)) {
    const name = String(container.name ?? "");
    for (const e of Array.isArray(container.env) ? container.env : []) {
      if (typeof e?.name !== "string" || !CREDENTIAL_NAME.test(e.name)) continue;
      if (e.value != null && e.value !== "") add("literalCredentialEnv", { container: name, env: e.name });
      const ref = e.valueFrom?.configMapKeyRef;
      if (ref) add("credentialEnvFromConfigMap", { container: name, env: e.name, configMap: ref.name ?? "" });
    }
    for (const [where, text] of commandTexts(container)) if (hasLiteralSetcookie(text)) add("setcookieLiteral", { container: name, where });
  }
}

function validateConfigMap(object: K8sObject, add: (id: string, data: Violation["data"]) => void): void {
  const configMap = refOf(object).name;
  const data = (object.data ?? {}) as Record<string, unknown>;
  const keys = new Set([...Object.keys(data), ...Object.keys((object.binaryData ?? {}) as object)]);
  for (const key of keys) if (CREDENTIAL_NAME.test(key)) add("configMapCredentialKey", { configMap, key });
  for (const [key, value] of configMapTexts(object)) {
    if (hasLiteralSetcookie(value)) add("configMapSetcookie", { configMap, key });
    if (PEM_PRIVATE_KEY.test(value)) add("configMapPrivateKey", { configMap, key });
    if (CREDENTIAL_ASSIGNMENT.test(value)) add("configMapCredentialAssignment", { configMap, key });
  }
}

export const secNoLiteralCredentials: ObjectValidator = {
  id: "sec-no-literal-credentials",
  scope: "object",
  validate(object) {
    const resource = refOf(object);
    const out: Violation[] = [];
    const add = (messageId: string, data: Violation["data"]) => out.push({ messageId, data, resource });
    if (isWorkload(object)) validateWorkload(object, add);
    else if (object.kind === "ConfigMap") validateConfigMap(object, add);
    return out;
  },
};
