/**
 * Runs async tasks through `limit` and measures the wall time during which at least one of them ran:
 * overlapping tasks count once, as a phase of the run they are (e.g. renders running side by side).
 */
export function busyClock(
  limit: <T>(task: () => Promise<T>) => Promise<T>,
  now: () => number = () => performance.now(),
): { run<T>(task: () => Promise<T>): Promise<T>; busyMs(): number } {
  let active = 0;
  let since = 0;
  let busy = 0;
  return {
    run: (task) =>
      limit(async () => {
        if (active++ === 0) since = now();
        try {
          return await task();
        } finally {
          if (--active === 0) busy += now() - since;
        }
      }),
    busyMs: () => busy + (active ? now() - since : 0),
  };
}
