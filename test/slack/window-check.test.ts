import type { WebClient } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { applyEvent } from "../../src/core/run/apply-event.js";
import type { Run, RunEvent } from "../../src/core/run/run-schema.js";
import type { RunService } from "../../src/service/run-service.js";
import { createTimedJobHandler } from "../../src/slack/timed-jobs.js";
import { minutesAfter, newRun, T0 } from "../support/checklist-fixtures.js";

/** The window check: a timer that tells stakeholders of an overrun nobody clicked their way into. */

const YAML = `
id: window
title: Window
summary: One long step nobody starts
stakeholders: "#business-updates"
phases:
  - id: all
    title: All
    steps:
      - id: migrate
        title: Migrate
        duration: 30m
`;

function handlerFor(run: Run, now: Date) {
  let current = run;
  const acted: RunEvent[] = [];
  const scheduled: string[] = [];
  const runs = {
    get: async () => current,
    act: async (_runId: string, event: RunEvent) => {
      acted.push(event);
      const decision = applyEvent(current, event, now);
      if (decision.accepted) current = decision.run;
      return {
        result: decision.accepted
          ? { status: "applied" as const }
          : { status: "refused" as const, refusal: decision.refusal },
        effectsDone: Promise.resolve(),
      };
    },
    ledger: async () => ({ get: () => undefined, mark: async () => undefined }),
  } as unknown as Pick<RunService, "get" | "act" | "ledger">;
  const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const handler = createTimedJobHandler({
    client: {} as WebClient,
    runs,
    refs: { save: async () => undefined, get: async () => undefined, runOfThread: async () => undefined },
    windows: {} as never,
    log,
    now: () => now,
    scheduleWindowCheck: async (_runId, at) => {
      scheduled.push(at);
    },
  });
  return { handler, acted, scheduled, current: () => current };
}

describe("the window check", () => {
  it("announces the overrun through the engine and looks again 15 minutes later", async () => {
    // 45 minutes in, the 30-minute step not even started: projected 10:15, announced 09:30.
    const { handler, acted, scheduled, current } = handlerFor(newRun({}, YAML), minutesAfter(T0, 45));
    await handler.windowCheckDue?.({ runId: "run-1", dueAt: "2026-11-20T09:30:00.000Z" });
    expect(acted).toEqual([{ type: "announce_overrun", by: "preflight" }]);
    expect(current().communications?.announcedEnd).toBe("2026-11-20T10:15:00.000Z");
    expect(scheduled).toEqual(["2026-11-20T09:45:00.000Z"]);
  });

  it("says nothing while the run is on time, and stops looking once it is closed", async () => {
    const onTime = handlerFor(newRun({}, YAML), T0);
    await onTime.handler.windowCheckDue?.({ runId: "run-1", dueAt: T0.toISOString() });
    expect(onTime.acted).toEqual([]);
    expect(onTime.scheduled).toHaveLength(1);

    const aborted = applyEvent(newRun({}, YAML), { type: "abort", reason: "no", by: "U_ALICE" }, T0);
    if (!aborted.accepted) throw new Error("abort refused");
    const closed = handlerFor(aborted.run, minutesAfter(T0, 60));
    await closed.handler.windowCheckDue?.({ runId: "run-1", dueAt: T0.toISOString() });
    expect([closed.acted, closed.scheduled]).toEqual([[], []]);
  });
});
