/**
 * When a scheduled window starts, as people type it: ISO 8601 with an offset
 * (`2026-11-21T22:00+01:00`, `…Z`), or a local wall time (`2026-11-21 22:00`) read in the
 * person's time zone (Slack's `tz`, an IANA name). Pure: `now` comes in.
 */

const WITH_OFFSET = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?(Z|[+-]\d{2}:?\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/;
const MAX_AHEAD_MS = 366 * 86_400_000;

export type WindowTime = { ok: true; at: Date } | { ok: false; message: string };

export const TIME_FORMATS =
  "`2026-11-21T22:00+01:00` (ISO 8601 with an offset) or `2026-11-21 22:00` (your Slack time zone)";

export function parseWindowTime(text: string, timeZone: string, now: Date): WindowTime {
  const at = WITH_OFFSET.test(text)
    ? new Date(Date.parse(text.replace(" ", "T")))
    : localTime(text, timeZone);
  if (!at || Number.isNaN(at.getTime())) {
    return { ok: false, message: `"${text}" is not a time I can read: use ${TIME_FORMATS}.` };
  }
  if (at.getTime() <= now.getTime())
    return { ok: false, message: `${at.toISOString()} is in the past: the window must start later.` };
  if (at.getTime() - now.getTime() > MAX_AHEAD_MS)
    return { ok: false, message: "A window can be scheduled at most a year ahead." };
  return { ok: true, at };
}

function localTime(text: string, timeZone: string): Date | undefined {
  const match = LOCAL.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) return undefined;
  return zonedToUtc({ year, month, day, hour, minute }, timeZone);
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** The instant at which clocks in `timeZone` show `wall` (the later one across a DST change). */
export function zonedToUtc(wall: WallTime, timeZone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  // Two passes settle the offset on both sides of a daylight-saving change.
  let guess = asUtc - offsetMs(asUtc, timeZone);
  guess = asUtc - offsetMs(guess, timeZone);
  return new Date(guess);
}

/** How far `timeZone` is ahead of UTC at an instant, in ms. */
function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const shown = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return shown - Math.floor(instant / 1000) * 1000;
}
