import { tzOffset } from "@date-fns/tz";
// The function's own module: the "date-fns" index loads all ~300 of its modules, each checked
// against its 200 KB package.json (seconds at every start on a busy machine).
import { isExists } from "date-fns/isExists";

/**
 * When a scheduled window starts, as people type it: ISO 8601 with an offset
 * (`2026-11-21T22:00+01:00`, `…Z`), or a local wall time (`2026-11-21 22:00`) read in the
 * person's time zone (Slack's `tz`, an IANA name). Only real dates and times are accepted:
 * 30 February, 25:00 and a time the clocks skip when daylight saving starts are refused.
 * Pure: `now` comes in.
 */

const WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/;
const MAX_AHEAD_MS = 366 * 86_400_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export type WindowTime = { ok: true; at: Date } | { ok: false; message: string };

export const TIME_FORMATS =
  "`2026-11-21T22:00+01:00` (ISO 8601 with an offset) or `2026-11-21 22:00` (your Slack time zone)";

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

export function parseWindowTime(text: string, timeZone: string, now: Date): WindowTime {
  const refuse = (why: string): WindowTime => ({ ok: false, message: `${why}: use ${TIME_FORMATS}.` });
  const withOffset = WITH_OFFSET.exec(text);
  const local = withOffset ? undefined : LOCAL.exec(text);
  const match = withOffset ?? local;
  if (!match) return refuse(`"${text}" is not a time I can read`);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall: WallTime = { year, month, day, hour, minute, second };
  const unreal = wallTimeProblem(wall);
  if (unreal) return refuse(`"${text}" ${unreal}`);

  let at: Date;
  if (withOffset) {
    const offset = offsetMinutes(withOffset[7] as string);
    if (offset === undefined) return refuse(`"${withOffset[7]}" is not a UTC offset (from -12:00 to +14:00)`);
    at = new Date(wallAsUtc(wall) - offset * MINUTE_MS);
  } else {
    if (Number.isNaN(tzOffset(timeZone, now))) {
      return refuse(`your Slack time zone "${timeZone}" is not one I know, so give the time with an offset`);
    }
    const instants = instantsOfWallTime(wall, timeZone);
    // Where clocks go back, the wall time happens twice: the first one is meant.
    const first = instants[0];
    if (!first) {
      return refuse(
        `"${text}" does not exist in ${timeZone}: the clocks skip it when daylight saving time starts; pick a time an hour later, or give an offset`,
      );
    }
    at = first;
  }
  if (at.getTime() <= now.getTime())
    return refuse(`${at.toISOString()} ("${text}") is in the past: the window must start later`);
  if (at.getTime() - now.getTime() > MAX_AHEAD_MS)
    return { ok: false, message: "A window can be scheduled at most a year ahead." };
  return { ok: true, at };
}

/** Why a wall time is not on any calendar or clock, or undefined when it is. */
function wallTimeProblem({ year, month, day, hour, minute, second = 0 }: WallTime): string | undefined {
  if (month < 1 || month > 12) return "has no such month: months run from 01 to 12";
  if (!isExists(year, month - 1, day)) {
    const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return `is not a real date: ${MONTHS[month - 1]} ${year} has ${days} days`;
  }
  if (hour > 23 || minute > 59 || second > 59) return "is not a time of day: times run from 00:00 to 23:59";
  return undefined;
}

/** `Z`, `+01:00`, `-0530` → minutes ahead of UTC; undefined for offsets no place uses. */
function offsetMinutes(text: string): number | undefined {
  if (text === "Z") return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!match) return undefined;
  const hours = Number(match[2]);
  const minutes = Number(match[3]);
  const total = (match[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
  return minutes > 59 || total < -12 * 60 || total > 14 * 60 ? undefined : total;
}

function wallAsUtc({ year, month, day, hour, minute, second = 0 }: WallTime): number {
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/**
 * Every instant at which clocks in `timeZone` show `wall`, earliest first: one on most days,
 * none in the hour skipped when daylight saving time starts, two in the hour repeated when it ends.
 */
export function instantsOfWallTime(wall: WallTime, timeZone: string): Date[] {
  const asUtc = wallAsUtc(wall);
  // The offsets in force a day either side cover both sides of any change near this time.
  const offsets = new Set([
    tzOffset(timeZone, new Date(asUtc - DAY_MS)),
    tzOffset(timeZone, new Date(asUtc + DAY_MS)),
  ]);
  const instants = [...offsets]
    .map((offset) => asUtc - offset * MINUTE_MS)
    .filter((instant) => tzOffset(timeZone, new Date(instant)) * MINUTE_MS === asUtc - instant);
  return [...new Set(instants)].sort((a, b) => a - b).map((instant) => new Date(instant));
}
