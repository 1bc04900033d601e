import type { Violation } from "../types.js";
import { closestPath, type FieldPath } from "../k8s/field-path.js";
import { allContainers, isWorkload, podSpec, podSpecPath, refOf } from "../k8s/workloads.js";
import type { ObjectValidator } from "./types.js";

/** Kubernetes' default mode of secret and projected volumes (0644). */
const DEFAULT_MODE = 0o644;
/** Group-write and every world bit. */
const FORBIDDEN_BITS = 0o027;

const list = (value: unknown): any[] => (Array.isArray(value) ? value : []);

function isSecretVolume(v: any): boolean {
  return Boolean(v?.secret) || list(v?.projected?.sources).some((s) => s?.secret);
}

/** [path of the mode in the volume, item path, mode] of every item with its own mode. */
function itemModes(v: any): Array<[FieldPath, string, number]> {
  const withMode = (items: unknown, at: FieldPath): Array<[FieldPath, string, number]> =>
    list(items).flatMap((item, n) => (typeof item?.mode === "number" ? [[[...at, n, "mode"], String(item.path), item.mode]] : []));
  if (v.secret) return withMode(v.secret.items, ["secret", "items"]);
  return list(v.projected?.sources).flatMap((source, s) => withMode(source?.secret?.items, ["projected", "sources", s, "secret", "items"]));
}

export const secSecretMountsHardened: ObjectValidator = {
  id: "sec-secret-mounts-hardened",
  scope: "object",
  validate(object) {
    if (!isWorkload(object)) return [];
    const resource = refOf(object);
    const out: Violation[] = [];
    const tooOpen = (volume: string, mode: number, where: string, path: FieldPath) => {
      if (mode & FORBIDDEN_BITS)
        out.push({
          messageId: "secretModeTooOpen",
          data: { volume, mode: mode.toString(8), where },
          resource,
          path: [...closestPath(object, path)],
        });
    };
    const specPath = podSpecPath(object);
    const volumes = list(podSpec(object).volumes)
      .map((v, i) => ({ v, path: [...specPath, "volumes", i] }))
      .filter(({ v }) => isSecretVolume(v));
    for (const { v, path } of volumes) {
      const field = v.secret ? "secret" : "projected";
      const defaultMode = v[field]?.defaultMode ?? DEFAULT_MODE;
      if (typeof defaultMode === "number") tooOpen(v.name, defaultMode, "defaultMode", [...path, field, "defaultMode"]);
      for (const [modePath, itemPath, mode] of itemModes(v)) tooOpen(v.name, mode, `item ${itemPath}`, [...path, ...modePath]);
    }
    const names = new Set(volumes.map(({ v }) => v.name));
    for (const { container, path } of allContainers(object)) {
      list(container.volumeMounts).forEach((m, j) => {
        if (names.has(m?.name) && m.readOnly !== true)
          out.push({
            messageId: "secretMountWritable",
            data: { container: String(container.name ?? ""), volume: m.name },
            resource,
            path: [...closestPath(object, [...path, "volumeMounts", j, "readOnly"])],
          });
      });
    }
    return out;
  },
};
