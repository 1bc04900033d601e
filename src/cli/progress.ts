/** A one-line progress indicator on stderr for interactive runs; silent in CI and pipes. */
export interface Progress {
  update(event: { phase: string; label: string; index: number; total: number }): void;
  done(): void;
}

export function createProgress(options: { enabled: boolean; write: (s: string) => void }): Progress {
  let shown = false;
  return {
    update({ phase, label, index, total }) {
      if (!options.enabled) return;
      const width = 20;
      const filled = total ? Math.round(((index + 1) / total) * width) : width;
      options.write(`\r\x1b[K[${"#".repeat(filled)}${".".repeat(width - filled)}] ${phase} ${index + 1}/${total} ${label}`);
      shown = true;
    },
    done() {
      if (shown) options.write("\r\x1b[K");
    },
  };
}
