import type { Violation } from "../types.js";
import { closestPath } from "../k8s/field-path.js";
import { rec } from "../k8s/manifest-fields.js";
import { refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

export const secNoPlaintextSecrets: ObjectValidator = {
  id: "sec-no-plaintext-secrets",
  scope: "object",
  validate(object) {
    if (object.kind !== "Secret") return [];
    const resource = refOf(object);
    const secret = resource.name;
    const sops = object.sops as Record<string, unknown> | undefined;
    if (sops)
      return sops.mac ? [] : [{ messageId: "sopsMacMissing", data: { secret }, resource, path: [...closestPath(object, ["sops", "mac"])] }];
    const out: Violation[] = [];
    // One violation per plaintext key (JSON null is unset): data.<key> is the value to encrypt.
    for (const field of ["data", "stringData"]) {
      for (const [key, value] of Object.entries(rec(object[field])))
        if (value !== null) out.push({ messageId: "plaintextSecret", data: { secret, field }, resource, path: [field, key] });
    }
    return out;
  },
};
