/** Calendar dates as waiver files write them (`YYYY-MM-DD`, UTC): parsed strictly, never guessed. */

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds since the epoch of the start of the day (UTC), or `undefined` unless `value` is a real `YYYY-MM-DD` date. */
export function parseCalendarDate(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  // Date.UTC rolls 2020-13-45 over into 2021-02-14; a real date survives the round trip.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? time : undefined;
}

/** The UTC calendar date of an instant, `YYYY-MM-DD`. */
export function calendarDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Whole days from the day `from` to the day `to` (both `YYYY-MM-DD`); `undefined` if either is not a real date. */
export function daysBetween(from: string, to: string): number | undefined {
  const start = parseCalendarDate(from);
  const end = parseCalendarDate(to);
  return start === undefined || end === undefined ? undefined : Math.round((end - start) / DAY_MS);
}
