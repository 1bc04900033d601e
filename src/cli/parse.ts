/** Option value parsers for commander; a bad value is a usage error (exit 2). */
import { InvalidArgumentError } from "commander";

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a whole number of days, e.g. 14");
  return Number(value);
}

/** A whole number of at least 1 (a thread count). */
export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError("expected a whole number of at least 1, e.g. 2");
  return Number(value);
}

/** `1.31`, `1.31.0` or `v1.31.0` → `1.31.0`-style version for Helm's --kube-version. */
export function kubeVersion(value: string): string {
  const m = /^v?(\d+\.\d+(?:\.\d+)?)$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError("expected a Kubernetes version such as 1.31 or 1.31.0");
  return m[1]!;
}

const UNITS: Record<string, number> = { "": 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `1048576`, `500KB`, `64MiB`, `1.5GB` → bytes. */
export function byteSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = UNITS[(m?.[2] ?? "").toLowerCase()];
  if (!m || unit === undefined || Number(m[1]) <= 0) throw new InvalidArgumentError("expected a size such as 1048576, 500KB or 64MiB");
  return Math.floor(Number(m[1]) * unit);
}
