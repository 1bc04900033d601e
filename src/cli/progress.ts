/**
 * A one-line progress bar on stderr for long interactive runs: nothing in CI or pipes (the caller
 * decides `enabled`), nothing for runs shorter than `delayMs`, at most one redraw per `intervalMs`.
 */
import { cleanText } from "../reporters/sanitize.js";
export interface Progress {
  update(event: { phase: string; label: string; index: number; total: number }): void;
  done(): void;
}

export interface ProgressOptions {
  enabled: boolean;
  write: (s: string) => void;
  delayMs?: number;
  intervalMs?: number;
  now?: () => number;
  /** Terminal width; the line is cut to fit so it never wraps. */
  columns?: number;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const start = now();
  const delay = options.delayMs ?? 1000;
  const interval = options.intervalMs ?? 100;
  let shown = false;
  let last = -Infinity;
  return {
    update({ phase, label, index, total }) {
      if (!options.enabled) return;
      const t = now();
      if (t - start < delay || (t - last < interval && index + 1 < total)) return;
      last = t;
      const width = 20;
      const filled = total ? Math.min(width, Math.round(((index + 1) / total) * width)) : width;
      const line = `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${phase} ${index + 1}/${total} ${cleanText(label)}`;
      options.write(`\r\x1b[K${line.slice(0, Math.max(20, (options.columns ?? 80) - 1))}`);
      shown = true;
    },
    done() {
      if (shown) options.write("\r\x1b[K");
    },
  };
}
