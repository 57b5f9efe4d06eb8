import { describe, expect, it } from "vitest";
import { parseWindowTime, zonedToUtc } from "../../src/core/schedule-time.js";

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

  it("handles the day clocks change", () => {
    // Berlin moves from +02:00 to +01:00 at 03:00 local on 2026-10-25.
    expect(zonedToUtc({ year: 2026, month: 10, day: 25, hour: 12, minute: 0 }, "Europe/Berlin")).toEqual(
      new Date("2026-10-25T11:00:00Z"),
    );
    expect(zonedToUtc({ year: 2026, month: 10, day: 24, hour: 12, minute: 0 }, "Europe/Berlin")).toEqual(
      new Date("2026-10-24T10:00:00Z"),
    );
  });

  it("refuses what it can't read, the past and more than a year ahead, saying what is accepted", () => {
    expect(parseWindowTime("tomorrow at ten", "UTC", NOW)).toEqual({
      ok: false,
      message:
        '"tomorrow at ten" is not a time I can read: use `2026-11-21T22:00+01:00` (ISO 8601 with an offset) or `2026-11-21 22:00` (your Slack time zone).',
    });
    expect(parseWindowTime("2026-11-19 22:00", "UTC", NOW)).toMatchObject({
      ok: false,
      message: expect.stringContaining("is in the past"),
    });
    expect(parseWindowTime("2028-01-01 10:00", "UTC", NOW)).toMatchObject({
      ok: false,
      message: "A window can be scheduled at most a year ahead.",
    });
    expect(parseWindowTime("2026-13-01 10:00", "UTC", NOW)).toMatchObject({ ok: false });
  });
});
