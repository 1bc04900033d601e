import type { K8sObject, Violation } from "../types.js";
import { configMapTextEntries } from "../k8s/env.js";
import type { FieldPath } from "../k8s/field-path.js";
import { rec } from "../k8s/manifest-fields.js";
import { allContainers, isWorkload, refOf, type Container } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

const CREDENTIAL_NAME = /(COOKIE|PASS(WORD)?|SECRET|TOKEN|API[-_]?KEY|PRIVATE[-_]?KEY|CREDENTIAL)/i;
const SETCOOKIE_ARG = /(?:^|\s)-setcookie\s+["']?([^\s"']+)/g;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----/;
const CREDENTIAL_ASSIGNMENT =
  /(^|[^A-Za-z0-9])[A-Za-z0-9_.-]*(password|passwd|secret|token|api_?key|private_?key|credential|cookie)["']?\s*[=:]\s*["']?[^\s"'$<{]/i;

/**
 * A word every text pattern of a ConfigMap value needs (CREDENTIAL_ASSIGNMENT's words, `-setcookie`'s
 * `cookie`, a PEM header's `PRIVATE KEY`), in any case: a value without one is skipped before the
 * patterns run (a ConfigMap near the size limit holds 20,000 values), as the Rego guard `credential_word_any_case`
 * does for a large ConfigMap as a whole.
 */
const CREDENTIAL_WORD = /pass|secret|token|api_?key|private[ _]?key|credential|cookie/i;

export function hasLiteralSetcookie(text: string): boolean {
  return [...text.matchAll(SETCOOKIE_ARG)].some((m) => !(m[1] ?? "").startsWith("$"));
}

type Add = (id: string, data: Violation["data"], path: FieldPath) => void;

const strings = (value: unknown): string[] => (Array.isArray(value) ? value : []);

/** Where a container passes flags: command + args (the list that sets the cookie: command when it does on its own, else args), and every literal env value (ERL_FLAGS, ELIXIR_ERL_OPTIONS, ...). */
function checkSetcookie(c: Container, path: FieldPath, add: Add): void {
  const name = String(c.name ?? "");
  if (hasLiteralSetcookie([...strings(c.command), ...strings(c.args)].join(" ")))
    add("setcookieLiteral", { container: name, where: "command/args" }, [
      ...path,
      hasLiteralSetcookie(strings(c.command).join(" ")) ? "command" : "args",
    ]);
  strings(c.env).forEach((e: any, i) => {
    if (typeof e?.name === "string" && typeof e.value === "string" && hasLiteralSetcookie(e.value))
      add("setcookieLiteral", { container: name, where: `env ${e.name}` }, [...path, "env", i, "value"]);
  });
}

function validateWorkload(object: K8sObject, add: Add): void {
  for (const { container, path } of allContainers(object)) {
    const name = String(container.name ?? "");
    strings(container.env).forEach((e: any, i) => {
      if (typeof e?.name !== "string" || !CREDENTIAL_NAME.test(e.name)) return;
      if (e.value != null && e.value !== "") add("literalCredentialEnv", { container: name, env: e.name }, [...path, "env", i, "value"]);
      const ref = e.valueFrom?.configMapKeyRef;
      if (ref)
        add("credentialEnvFromConfigMap", { container: name, env: e.name, configMap: ref.name ?? "" }, [
          ...path,
          "env",
          i,
          "valueFrom",
          "configMapKeyRef",
        ]);
    });
    checkSetcookie(container, path, add);
  }
}

function validateConfigMap(object: K8sObject, add: Add): void {
  const configMap = refOf(object).name;
  for (const field of ["data", "binaryData"])
    for (const key of Object.keys(rec(object[field])))
      if (CREDENTIAL_NAME.test(key)) add("configMapCredentialKey", { configMap, key }, [field, key]);
  for (const { field, key, text } of configMapTextEntries(object)) {
    if (!CREDENTIAL_WORD.test(text)) continue;
    if (hasLiteralSetcookie(text)) add("configMapSetcookie", { configMap, key }, [field, key]);
    if (PEM_PRIVATE_KEY.test(text)) add("configMapPrivateKey", { configMap, key }, [field, key]);
    if (CREDENTIAL_ASSIGNMENT.test(text)) add("configMapCredentialAssignment", { configMap, key }, [field, key]);
  }
}

export const secNoLiteralCredentials: ObjectValidator = {
  id: "sec-no-literal-credentials",
  scope: "object",
  validate(object) {
    const resource = refOf(object);
    const out: Violation[] = [];
    const add: Add = (messageId, data, path) => out.push({ messageId, data, resource, path: [...path] });
    if (isWorkload(object)) validateWorkload(object, add);
    else if (object.kind === "ConfigMap") validateConfigMap(object, add);
    return out;
  },
};
