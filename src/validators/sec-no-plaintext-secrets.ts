import type { Violation } from "../types.js";
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
    if (sops) return sops.mac ? [] : [{ messageId: "sopsMacMissing", data: { secret }, resource }];
    const out: Violation[] = [];
    for (const field of ["data", "stringData"]) {
      const value = object[field];
      if (value && typeof value === "object" && Object.keys(value).length > 0)
        out.push({ messageId: "plaintextSecret", data: { secret, field }, resource });
    }
    return out;
  },
};
