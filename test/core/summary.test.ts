import { describe, expect, it } from "vitest";
import { buildSummary, needsFollowUps, type Summary } from "../../src/core/summary.js";
import { minutesAfter, newRun, T0 } from "../support/checklist-fixtures.js";
import {
  ABORTED_EVENTS,
  ALICE,
  abortedRunInput,
  BOB,
  CAROL,
  finishedRunInput,
  playTimed,
  SUMMARY_NOW,
  UPGRADE_YAML,
} from "../support/summary-fixtures.js";

const at = (minute: number) => minutesAfter(T0, minute).toISOString();
const MIN = 60_000;

describe("the post-mortem of an aborted upgrade", () => {
  const summary = buildSummary(abortedRunInput());
  const step = (id: string) => summary.steps.find((s) => s.id === id);

  it("says how it ended, who ended it and why", () => {
    expect(summary).toMatchObject({
      runId: "run-1",
      outcome: "aborted",
      abortReason: "Checkout errors after the upgrade; restoring from snap-1 in a new run",
      closedBy: ALICE,
      startedAt: T0.toISOString(),
      endedAt: at(64),
      totalMs: 64 * MIN,
      generatedAt: SUMMARY_NOW.toISOString(),
      owner: ALICE,
      buddy: BOB,
      environment: "prod",
      params: { env: "prod", instance: "orders-prod" },
      checklist: {
        id: "db-upgrade",
        title: "Orders database upgrade",
        version: { hash: "3f9a1c2b7d4e", commit: "9c1e5f0a2b3c4d5e6f708192a3b4c5d6e7f80912" },
      },
    });
    expect(summary.counts).toEqual({ total: 8, done: 5, skipped: 1, failed: 0, unfinished: 2 });
  });

  it("adds up what the plan expected: 16m–49m, one step without an estimate", () => {
    expect(summary.expected).toEqual({ minMs: 16 * MIN, maxMs: 49 * MIN, unestimatedSteps: 1 });
  });

  it("times every step and flags the ones that took longer than their maximum", () => {
    expect(step("announce")).toMatchObject({
      durationMs: 2 * MIN,
      overran: false,
      number: 1,
      phase: "Before",
    });
    expect(step("snapshot")).toMatchObject({
      durationMs: 15 * MIN,
      expected: { minMs: 5 * MIN, maxMs: 10 * MIN },
      overran: true,
    });
    expect(step("upgrade")).toMatchObject({
      status: "done",
      startedAt: at(22),
      startedBy: ALICE,
      completedBy: ALICE,
      approvedBy: BOB,
      verifiedBy: CAROL,
      durationMs: 26 * MIN,
      overran: true,
    });
    // Still running when the run was aborted: timed up to the abort, a lower bound.
    expect(step("smoke-test")).toMatchObject({ status: "running", durationMs: 10 * MIN, durationOpen: true });
    expect(step("smoke-test")?.overran).toBe(true);
    expect(step("notify")).toMatchObject({ status: "pending", overran: false });
    expect(step("notify")?.durationMs).toBeUndefined();
  });

  it("does not time a step marked done in one click", () => {
    expect(step("maintenance-on")).toMatchObject({ status: "done", startedAt: at(21), completedAt: at(21) });
    expect(step("maintenance-on")?.durationMs).toBeUndefined();
  });

  it("measures the downtime from the start step to the end step and compares it with the plan", () => {
    expect(summary.downtime).toEqual({
      startStep: { number: 3, title: "Turn the maintenance page on" },
      endStep: { number: 6, title: "Turn the maintenance page off" },
      startedAt: at(21),
      endedAt: at(53),
      openEnded: false,
      actualMs: 32 * MIN,
      planned: { minMs: 11 * MIN, maxMs: 29 * MIN, steps: 4, unestimatedSteps: 0 },
      overran: true,
    });
  });

  it("lists the skipped step with who skipped it and why", () => {
    expect(summary.skipped).toEqual([
      {
        number: 5,
        title: "Warm the cache (`curl -s /warm | jq .status`)",
        by: BOB,
        at: at(51),
        reason: "The cache warms itself under traffic",
      },
    ]);
  });

  it("tells how each problem ended, or that it is still open", () => {
    expect(summary.problems).toEqual([
      {
        id: "p1",
        step: { number: 4, title: "Upgrade orders-prod to MySQL 8.0" },
        text: "Replica lag above 30s",
        reportedBy: CAROL,
        reportedAt: at(32),
        resolved: { by: BOB, at: at(45), resolution: "Lag recovered once the upgrade finished" },
      },
      {
        id: "p2",
        step: { number: 7, title: "Smoke-test checkout" },
        text: "Checkout returns 500 for some EU customers",
        reportedBy: CAROL,
        reportedAt: at(56),
      },
    ]);
  });

  it("keeps notes from buttons and from the thread together, oldest first", () => {
    expect(summary.notes.map((note) => [note.at, note.by, note.source, note.step?.number])).toEqual([
      [at(20), BOB, "button", 2],
      [at(30), CAROL, "thread", undefined],
      [at(58), ALICE, "button", 7],
    ]);
    const input = abortedRunInput();
    const shuffled = { ...input, run: { ...input.run, notes: [...input.run.notes].reverse() } };
    expect(buildSummary(shuffled).notes.map((note) => note.at)).toEqual([at(20), at(30), at(58)]);
  });

  it("collects what the automated steps produced", () => {
    expect(summary.results).toEqual([
      {
        number: 2,
        title: "Snapshot orders-prod",
        results: [
          { key: "id", value: "snap-1" },
          { key: "arn", value: "arn:aws:rds:eu-west-1:123456789012:snapshot:snap-1" },
        ],
      },
      {
        number: 4,
        title: "Upgrade orders-prod to MySQL 8.0",
        results: [
          { key: "engine_version", value: "8.0.32" },
          { key: "status", value: "available" },
        ],
      },
    ]);
  });

  it("lists the reminders still pending, soonest first, with their channel", () => {
    expect(summary.pendingReminders).toEqual([
      { dueAt: at(64 + 7 * 24 * 60), channel: "C_OPS", text: "Reschedule the orders database upgrade" },
      { dueAt: at(19 + 30 * 24 * 60), channel: "C_OPS", text: "Delete snapshot snap-1" },
    ]);
  });

  it("takes follow-ups and later records from the run, oldest first", () => {
    expect(summary.followUps).toEqual([
      {
        at: at(90),
        by: BOB,
        text: "Take the snapshot an hour before the window:\nit took 15m on prod, 6m on QA",
      },
      { at: at(95), by: ALICE, text: "Add a checkout smoke test on QA before the maintenance page goes off" },
    ]);
    expect(summary.afterRun).toEqual([
      {
        at: at(65),
        by: "preflight",
        kind: "post_failed",
        detail: 'the reminder "The prod upgrade was rolled back" could not be posted: channel_not_found',
      },
    ]);
  });

  it("names every kind of record made after the run, from the engine's record events", () => {
    const input = abortedRunInput();
    const snoozedUntil = at(30 * 24 * 60);
    const { run } = playTimed(input.run, [
      [100, { type: "reminder_handled", key: "run-1.reschedule.0", outcome: "done", by: ALICE }],
      [
        200,
        {
          type: "reminder_handled",
          key: "run-1.delete-snapshot.0",
          outcome: "snoozed",
          until: snoozedUntil,
          by: BOB,
        },
      ],
      // prod is protected: one person asks, a second confirms.
      [299, { type: "deletion_requested", key: "run-1.delete-snapshot.1", by: BOB }],
      [300, { type: "reminder_handled", key: "run-1.delete-snapshot.1", outcome: "action", by: ALICE }],
      [
        301,
        {
          type: "snapshot_deleted",
          key: "run-1.delete-snapshot.1",
          snapshot: "snap-1",
          region: "eu-west-1",
          by: ALICE,
        },
      ],
    ]);
    const { afterRun } = buildSummary({ ...input, run });
    expect(afterRun).toEqual([
      expect.objectContaining({ kind: "post_failed", at: at(65) }),
      { at: at(100), by: ALICE, kind: "reminder_done", detail: "run-1.reschedule.0: done" },
      {
        at: at(200),
        by: BOB,
        kind: "reminder_snoozed",
        detail: `run-1.delete-snapshot.0: snoozed until ${snoozedUntil}`,
      },
      {
        at: at(299),
        by: BOB,
        kind: "deletion_requested",
        detail: "snap-1 deletion asked for from the reminder",
      },
      {
        at: at(301),
        by: ALICE,
        kind: "snapshot_deleted",
        detail: `snap-1 deleted from the reminder, asked for by ${BOB}`,
      },
    ]);
  });

  it("needs follow-ups", () => {
    expect(needsFollowUps(summary)).toBe(true);
  });
});

describe("the post-mortem of an upgrade that went to plan", () => {
  const summary = buildSummary(finishedRunInput());

  it("finished within every expected duration, with nothing to follow up", () => {
    expect(summary).toMatchObject({ outcome: "finished", closedBy: ALICE, totalMs: 34 * MIN });
    expect(summary.steps.some((step) => step.overran)).toBe(false);
    expect(summary.downtime).toMatchObject({ actualMs: 19 * MIN, overran: false });
    expect(summary.checklist.version).toEqual({ hash: "test" });
    expect(needsFollowUps(summary)).toBe(false);
  });

  it("needs follow-ups for any one of: an abort, a problem, a step overrun, a downtime overrun", () => {
    const clean: Summary = summary;
    const downtime = clean.downtime;
    if (!downtime) throw new Error("expected a downtime");
    expect(needsFollowUps({ ...clean, outcome: "aborted" })).toBe(true);
    expect(
      needsFollowUps({ ...clean, problems: [{ id: "p1", text: "x", reportedBy: BOB, reportedAt: at(1) }] }),
    ).toBe(true);
    expect(needsFollowUps({ ...clean, steps: clean.steps.map((s, i) => ({ ...s, overran: i === 0 })) })).toBe(
      true,
    );
    expect(needsFollowUps({ ...clean, downtime: { ...downtime, overran: true } })).toBe(true);
  });
});

describe("the post-mortem of a run still in progress", () => {
  it("measures up to now, and the downtime is open-ended", () => {
    const { run } = playTimed(newRun({}, UPGRADE_YAML), ABORTED_EVENTS.slice(0, 8));
    const summary = buildSummary({ run, pendingReminders: [], now: minutesAfter(T0, 40) });
    expect(summary).toMatchObject({ outcome: "active", totalMs: 40 * MIN });
    expect(summary.endedAt).toBeUndefined();
    expect(summary.closedBy).toBeUndefined();
    expect(summary.downtime).toMatchObject({ startedAt: at(21), openEnded: true, actualMs: 19 * MIN });
    expect(summary.downtime?.endedAt).toBeUndefined();
    expect(summary.steps.find((s) => s.id === "upgrade")).toMatchObject({
      status: "running",
      durationMs: 18 * MIN,
      durationOpen: true,
      overran: false,
    });
  });

  it("a downtime that has not begun has a plan but no actual time", () => {
    const summary = buildSummary({ run: newRun({}, UPGRADE_YAML), pendingReminders: [], now: T0 });
    expect(summary.downtime).toMatchObject({ openEnded: false, overran: false });
    expect(summary.downtime?.startedAt).toBeUndefined();
    expect(summary.downtime?.actualMs).toBeUndefined();
  });

  it("a checklist that marks no downtime has none", () => {
    const run = newRun({}, NO_DOWNTIME_YAML);
    expect(buildSummary({ run, pendingReminders: [], now: T0 }).downtime).toBeUndefined();
  });
});

const NO_DOWNTIME_YAML = `
id: no-downtime
title: No downtime
summary: Nothing goes down
phases:
  - id: only
    title: Only
    steps:
      - id: rotate
        title: Rotate the keys
`;
