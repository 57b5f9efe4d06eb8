import { describe, expect, it } from "vitest";
import type { Run } from "../../../src/core/run/run-schema.js";
import { upcomingReminders } from "../../../src/core/run/upcoming-reminders.js";

const NOW = new Date("2026-12-02T10:00:00Z");
const state = (dueAt: string, extra: object = {}) => ({
  key: dueAt,
  reminderId: "r",
  occurrence: 0,
  dueAt,
  channel: "C1",
  text: `due ${dueAt}`,
  keepOnAbort: false,
  ...extra,
});

describe("the reminders a person's Home tab lists", () => {
  it("are those of their runs not yet handled, due within 30 days, soonest first", () => {
    const run = {
      id: "r-1",
      reminders: {
        later: state("2026-12-20T00:00:00Z"),
        soon: state("2026-12-03T00:00:00Z"),
        waiting: state("2026-12-01T00:00:00Z"),
        beyond: state("2027-01-05T00:00:00Z"),
        done: state("2026-12-04T00:00:00Z", {
          handled: { by: "U1", at: NOW.toISOString(), outcome: "done" },
        }),
        cancelled: state("2026-12-04T00:00:00Z", { cancelledAt: NOW.toISOString() }),
      },
    } as unknown as Run;
    expect(upcomingReminders([run], NOW).map((r) => r.text)).toEqual([
      "due 2026-12-01T00:00:00Z",
      "due 2026-12-03T00:00:00Z",
      "due 2026-12-20T00:00:00Z",
    ]);
  });
});
