/** `--timings`: the wall time of each audit phase on stderr, so that reports stay deterministic. */
import type { AuditTimings } from "../audit.js";

export function formatTimings(t: AuditTimings): string {
  const ms = (n: number) => `${Math.round(n)} ms`;
  return (
    `timings: total ${ms(t.totalMs)} = prepare ${ms(t.prepareMs)} + render ${ms(t.renderMs)} (helm/kustomize) + load ${ms(t.loadMs)}` +
    ` + evaluate ${ms(t.evaluateMs)} + locate ${ms(t.locateMs)} (findings' lines) + report ${ms(t.reportMs)}; excluding render: ${ms(t.totalMs - t.renderMs)}\n`
  );
}
