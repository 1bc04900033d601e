/**
 * The sample of runs an auditor re-performs: its size from the population by a fixed table, its
 * members drawn by a seeded generator anyone can re-run.
 *
 * Size rule (the table commonly applied to recurring automated and manual controls, after the AICPA
 * Audit Guide "Audit Sampling" and PCAOB AS 2315 practice, at the low end of each range): a control
 * that operated once is tested once; 2–4 times (quarterly) 2; 5–12 (monthly) 2; 13–52 (weekly) 5;
 * 53–365 (daily) 20; more than 365 (several times a day) 25. Never more than the population.
 */
import { createHash } from "node:crypto";

/** The size rule as rows of the table: population up to `max` → `size`. */
export const SAMPLE_SIZE_TABLE: ReadonlyArray<{ max: number; frequency: string; size: number }> = [
  { max: 1, frequency: "once", size: 1 },
  { max: 4, frequency: "quarterly", size: 2 },
  { max: 12, frequency: "monthly", size: 2 },
  { max: 52, frequency: "weekly", size: 5 },
  { max: 365, frequency: "daily", size: 20 },
  { max: Infinity, frequency: "several times a day", size: 25 },
];

/** The rule in one sentence, as recorded in the report. */
export const SAMPLE_SIZE_RULE =
  "population 1: 1; 2-4: 2; 5-12: 2; 13-52: 5; 53-365: 20; over 365: 25 (AICPA Audit Sampling / PCAOB AS 2315 table for recurring controls); never more than the population";

/** Sample size for a population of n runs. */
export function sampleSize(n: number): number {
  if (n <= 0) return 0;
  return Math.min(n, SAMPLE_SIZE_TABLE.find((row) => n <= row.max)!.size);
}

/** The j-th number in [0, 1) of the generator: the first 48 bits of SHA-256("<seed>:<j>"). */
export function seededUniform(seed: string, j: number): number {
  const hex = createHash("sha256").update(`${seed}:${j}`).digest("hex").slice(0, 12);
  return parseInt(hex, 16) / 2 ** 48;
}

/**
 * Draws k distinct indices of 0..n-1 in draw order: a Fisher–Yates shuffle stopped after k steps,
 * step j swapping position j with j + floor(u_j × (n − j)).
 */
export function drawSample(n: number, k: number, seed: string): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let j = 0; j < Math.min(k, n); j++) {
    const pick = j + Math.floor(seededUniform(seed, j) * (n - j));
    [order[j], order[pick]] = [order[pick]!, order[j]!];
  }
  return order.slice(0, Math.min(k, n));
}
