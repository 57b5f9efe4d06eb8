/**
 * Durations as authors write them in checklists: `90s`, `15m`, `2h`, `30d`, `1h30m`,
 * and ranges `10m-20m` (expected step durations).
 */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** One duration: one or more `<number><unit>` parts, largest unit first by convention. */
export const DURATION_PATTERN = "^(\\d+[smhdw])+$";
/** A range (`10m-20m`) or a single upper bound (`20m`). */
export const DURATION_RANGE_PATTERN = "^(\\d+[smhdw])+(-(\\d+[smhdw])+)?$";

const partPattern = /(\d+)([smhdw])/g;

/** The longest duration a checklist may name: 10 years (a date past it is no date at all). */
export const MAX_DURATION_MS = 3_650 * UNIT_MS.d;
export const TOO_LONG = "must be at most 3650d (10 years)";

/** False only for a well-formed duration (or range, `10m-20m`) longer than `MAX_DURATION_MS`. */
export function withinLimit(text: string): boolean {
  return text
    .split("-")
    .every((part) => !new RegExp(DURATION_PATTERN).test(part) || parseDuration(part) !== undefined);
}

/** Milliseconds, or undefined when malformed or longer than `MAX_DURATION_MS`. */
export function parseDuration(text: string): number | undefined {
  if (!new RegExp(DURATION_PATTERN).test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(partPattern)) {
    total += Number(match[1]) * UNIT_MS[match[2] as Unit];
  }
  return total <= MAX_DURATION_MS ? total : undefined;
}

export interface DurationRange {
  minMs: number;
  maxMs: number;
}

/** `10m-20m` → {10 min, 20 min}; `20m` → {0, 20 min}. Undefined when malformed or min > max. */
export function parseDurationRange(text: string): DurationRange | undefined {
  const [low, high, ...rest] = text.split("-");
  if (rest.length > 0 || low === undefined) return undefined;
  if (high === undefined) {
    const max = parseDuration(low);
    return max === undefined ? undefined : { minMs: 0, maxMs: max };
  }
  const min = parseDuration(low);
  const max = parseDuration(high);
  if (min === undefined || max === undefined || min > max) return undefined;
  return { minMs: min, maxMs: max };
}

/** Human form for messages: `45s`, `12m`, `1h 05m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.max(0, Math.round(ms / 1000));
  if (totalSeconds < 60) return `${totalSeconds}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes}m`;
  const totalHours = Math.floor(totalMinutes / 60);
  if (totalHours < 48) return `${totalHours}h ${String(totalMinutes % 60).padStart(2, "0")}m`;
  return `${Math.floor(totalHours / 24)}d ${totalHours % 24}h`;
}

export function formatDurationRange(range: DurationRange): string {
  return range.minMs === 0
    ? `up to ${formatDuration(range.maxMs)}`
    : `${formatDuration(range.minMs)}–${formatDuration(range.maxMs)}`;
}
