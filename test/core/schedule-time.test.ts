import { describe, expect, it } from "vitest";
import { instantsOfWallTime, parseWindowTime, TIME_FORMATS } from "../../src/core/schedule-time.js";

const NOW = new Date("2026-11-20T12:00:00Z");

describe("parseWindowTime", () => {
  it("reads ISO 8601 with an offset as written", () => {
    expect(parseWindowTime("2026-11-21T22:00+01:00", "America/New_York", NOW)).toEqual({
      ok: true,
      at: new Date("2026-11-21T21:00:00Z"),
    });
    expect(parseWindowTime("2026-11-21T22:00Z", "Europe/Berlin", NOW)).toEqual({
      ok: true,
      at: new Date("2026-11-21T22:00:00Z"),
    });
  });

  it("reads a local time in the person's Slack time zone", () => {
    expect(parseWindowTime("2026-11-21 22:00", "Europe/Berlin", NOW)).toEqual({
      ok: true,
      at: new Date("2026-11-21T21:00:00Z"),
    });
    expect(parseWindowTime("2026-07-01 22:00", "Europe/Berlin", new Date("2026-06-01T00:00:00Z"))).toEqual({
      ok: true,
      at: new Date("2026-07-01T20:00:00Z"),
    });
    expect(parseWindowTime("2026-11-21 22:00", "America/Los_Angeles", NOW)).toEqual({
      ok: true,
      at: new Date("2026-11-22T06:00:00Z"),
    });
  });

  it("handles the days clocks change", () => {
    // Berlin moves from +02:00 to +01:00 at 03:00 local on 2026-10-25.
    expect(
      instantsOfWallTime({ year: 2026, month: 10, day: 25, hour: 12, minute: 0 }, "Europe/Berlin"),
    ).toEqual([new Date("2026-10-25T11:00:00Z")]);
    expect(
      instantsOfWallTime({ year: 2026, month: 10, day: 24, hour: 12, minute: 0 }, "Europe/Berlin"),
    ).toEqual([new Date("2026-10-24T10:00:00Z")]);
    // 02:30 happens twice that night in Berlin, and never on 2026-03-29.
    expect(
      instantsOfWallTime({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, "Europe/Berlin"),
    ).toEqual([new Date("2026-10-25T00:30:00Z"), new Date("2026-10-25T01:30:00Z")]);
    expect(
      instantsOfWallTime({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, "Europe/Berlin"),
    ).toEqual([]);
  });

  it("reads a repeated wall time as its first occurrence, in every time zone", () => {
    const before = new Date("2026-10-01T00:00:00Z");
    expect(parseWindowTime("2026-10-25 02:30", "Europe/Berlin", before)).toEqual({
      ok: true,
      at: new Date("2026-10-25T00:30:00Z"),
    });
    // New York falls back from -04:00 to -05:00 at 02:00 on 2026-11-01.
    expect(parseWindowTime("2026-11-01 01:30", "America/New_York", before)).toEqual({
      ok: true,
      at: new Date("2026-11-01T05:30:00Z"),
    });
    // Across the change: the evening before and after in New York.
    expect(parseWindowTime("2026-10-31 22:00", "America/New_York", before)).toEqual({
      ok: true,
      at: new Date("2026-11-01T02:00:00Z"),
    });
    expect(parseWindowTime("2026-11-01 22:00", "America/New_York", before)).toEqual({
      ok: true,
      at: new Date("2026-11-02T03:00:00Z"),
    });
  });

  it("refuses a wall time the clocks skip", () => {
    expect(parseWindowTime("2027-03-14 02:30", "America/New_York", NOW)).toEqual({
      ok: false,
      message: `"2027-03-14 02:30" does not exist in America/New_York: the clocks skip it when daylight saving time starts; pick a time an hour later, or give an offset: use ${TIME_FORMATS}.`,
    });
  });

  it("refuses dates and times that are not on the calendar, listing the accepted forms", () => {
    expect(parseWindowTime("2027-02-30 22:00", "Europe/Berlin", NOW)).toEqual({
      ok: false,
      message: `"2027-02-30 22:00" is not a real date: February 2027 has 28 days: use ${TIME_FORMATS}.`,
    });
    expect(parseWindowTime("2027-02-30T22:00+01:00", "Europe/Berlin", NOW)).toMatchObject({
      ok: false,
      message: expect.stringContaining("is not a real date: February 2027 has 28 days"),
    });
    expect(parseWindowTime("2028-02-29 22:00", "UTC", new Date("2027-12-01T00:00:00Z"))).toEqual({
      ok: true,
      at: new Date("2028-02-29T22:00:00Z"),
    });
    expect(parseWindowTime("2026-04-31 10:00", "UTC", NOW)).toMatchObject({
      ok: false,
      message: expect.stringContaining("April 2026 has 30 days"),
    });
    for (const time of ["25:00", "24:00", "24:60", "23:60"]) {
      expect(parseWindowTime(`2026-12-01 ${time}`, "UTC", NOW)).toEqual({
        ok: false,
        message: `"2026-12-01 ${time}" is not a time of day: times run from 00:00 to 23:59: use ${TIME_FORMATS}.`,
      });
    }
    expect(parseWindowTime("2026-12-01T10:00+15:00", "UTC", NOW)).toMatchObject({
      ok: false,
      message: expect.stringContaining('"+15:00" is not a UTC offset'),
    });
  });

  it("says when the person's time zone is unknown", () => {
    expect(parseWindowTime("2026-12-01 10:00", "Mars/Olympus_Mons", NOW)).toEqual({
      ok: false,
      message: `your Slack time zone "Mars/Olympus_Mons" is not one I know, so give the time with an offset: use ${TIME_FORMATS}.`,
    });
  });

  it("refuses what it can't read, the past and more than a year ahead, saying what is accepted", () => {
    expect(parseWindowTime("tomorrow at ten", "UTC", NOW)).toEqual({
      ok: false,
      message:
        '"tomorrow at ten" is not a time I can read: use `2026-11-21T22:00+01:00` (ISO 8601 with an offset) or `2026-11-21 22:00` (your Slack time zone).',
    });
    expect(parseWindowTime("2026-11-19 22:00", "UTC", NOW)).toEqual({
      ok: false,
      message: `2026-11-19T22:00:00.000Z ("2026-11-19 22:00") is in the past: the window must start later: use ${TIME_FORMATS}.`,
    });
    expect(parseWindowTime("2028-01-01 10:00", "UTC", NOW)).toMatchObject({
      ok: false,
      message: "A window can be scheduled at most a year ahead.",
    });
    expect(parseWindowTime("2026-13-01 10:00", "UTC", NOW)).toMatchObject({ ok: false });
  });
});
