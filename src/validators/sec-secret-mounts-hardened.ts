import type { Violation } from "../types.js";
import { allContainers, isWorkload, podSpec, refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

/** Kubernetes' default mode of secret and projected volumes (0644). */
const DEFAULT_MODE = 0o644;
/** Group-write and every world bit. */
const FORBIDDEN_BITS = 0o027;

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

function isSecretVolume(v: any): boolean {
  return Boolean(v?.secret) || list(v?.projected?.sources).some((s) => s?.secret);
}

function itemModes(v: any): Array<[string, number]> {
  const items = v.secret ? list(v.secret.items) : list(v.projected?.sources).flatMap((s) => list(s?.secret?.items));
  return items.filter((i) => typeof i?.mode === "number").map((i) => [String(i.path), i.mode]);
}

export const secSecretMountsHardened: ObjectValidator = {
  id: "sec-secret-mounts-hardened",
  scope: "object",
  validate(object) {
    if (!isWorkload(object)) return [];
    const resource = refOf(object);
    const out: Violation[] = [];
    const tooOpen = (volume: string, mode: number, where: string) => {
      if (mode & FORBIDDEN_BITS) out.push({ messageId: "secretModeTooOpen", data: { volume, mode: mode.toString(8), where }, resource });
    };
    const volumes = list(podSpec(object).volumes).filter(isSecretVolume);
    for (const v of volumes) {
      const defaultMode = (v.secret ?? v.projected)?.defaultMode ?? DEFAULT_MODE;
      if (typeof defaultMode === "number") tooOpen(v.name, defaultMode, "defaultMode");
      for (const [path, mode] of itemModes(v)) tooOpen(v.name, mode, `item ${path}`);
    }
    const names = new Set(volumes.map((v) => v.name));
    for (const { container } of allContainers(object)) {
      for (const m of list(container.volumeMounts)) {
        if (names.has(m?.name) && m.readOnly !== true)
          out.push({ messageId: "secretMountWritable", data: { container: String(container.name ?? ""), volume: m.name }, resource });
      }
    }
    return out;
  },
};
