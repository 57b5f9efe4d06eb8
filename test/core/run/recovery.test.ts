import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { someoneMay } from "../../../src/core/run/permissions.js";
import type { Run, RunEvent } from "../../../src/core/run/run-schema.js";
import { PREFLIGHT_USER } from "../../../src/core/run/run-schema.js";
import { buildSummary, needsFollowUps } from "../../../src/core/summary.js";
import { minutesAfter, newRun, T0 } from "../../support/checklist-fixtures.js";
import { acceptedOf, play, refusalOf } from "../../support/run-play.js";

const ALICE = "U_ALICE";
const BOB = "U_BOB";
const CAROL = "U_CAROL";

/** A go/no-go, an irreversible automated change with a restore as its rollback, and a timed step. */
const RECOVERY_YAML = `
id: recovery-demo
title: Recovery demo
summary: Decision points, a point of no return, rollback, manual fallback
phases:
  - id: main
    title: Main
    steps:
      - id: page-on
        title: Maintenance page on
        rollback: Switch the page off again.
      - id: snapshot
        title: Take the snapshot
        rollback: Nothing to undo.
        action: { type: rds.snapshot, target: instance, identifier: db-1, snapshot: snap-1 }
      - id: go
        title: Go / no-go
        decision: { question: Does everything look right?, decider: buddy }
      - id: upgrade
        title: Upgrade db-1
        irreversible: true
        verify: true
        duration: 10m
        rollback: Restore snap-1 to db-1-restored.
        rollback_action: { type: rds.restore_snapshot, snapshot: snap-1, identifier: db-1-restored }
        action: { type: rds.modify, target: instance, identifier: db-1, engine_version: "8.0.32" }
      - id: check
        title: Check the site
        duration: 10m
`;

const run0 = () => newRun({}, RECOVERY_YAML);
const step = (run: Run, id: string) => run.steps.find((s) => s.id === id);
const reported = (type: "action_succeeded" | "action_failed", stepId: string): RunEvent =>
  type === "action_succeeded"
    ? { type, stepId, results: { id: "snap-1" }, by: PREFLIGHT_USER }
    : { type, stepId, error: "AWS denied ModifyDBInstance", by: PREFLIGHT_USER };

/** Up to the decision point: page on, snapshot taken. */
function atDecision(): Run {
  return play(run0(), [
    { type: "complete_step", stepId: "page-on", by: ALICE },
    { type: "start_step", stepId: "snapshot", by: ALICE },
    reported("action_succeeded", "snapshot"),
  ]);
}

describe("decision points", () => {
  it("block the run until the decider picks, with a reason; only the decider picks", () => {
    const run = atDecision();
    expect(refusalOf(applyEvent(run, { type: "start_step", stepId: "upgrade", by: ALICE }, T0)).code).toBe(
      "out_of_order",
    );
    expect(
      refusalOf(applyEvent(run, { type: "complete_step", stepId: "go", by: BOB }, T0)).message,
    ).toContain("decision point");
    const decide = (by: string, reason = "all green"): RunEvent => ({
      type: "decide",
      stepId: "go",
      option: "continue",
      reason,
      by,
    });
    expect(refusalOf(applyEvent(run, decide(ALICE), T0)).code).toBe("not_decider");
    expect(refusalOf(applyEvent(run, decide(BOB, "  "), T0)).code).toBe("reason_required");
    const decided = acceptedOf(applyEvent(run, decide(BOB), T0)).run;
    expect(step(decided, "go")).toMatchObject({ status: "done", completedBy: BOB });
    expect(decided.decisions).toEqual([
      expect.objectContaining({ stepId: "go", option: "continue", reason: "all green", by: BOB }),
    ]);
    expect(decided.history.at(-1)).toMatchObject({ type: "decide", detail: "continue: all green" });
    const summary = buildSummary({ run: decided, pendingReminders: [], now: T0 });
    expect(summary.decisions?.[0]).toMatchObject({ option: "continue", reason: "all green", by: BOB });
  });

  it("abort at a decision point closes the run with the reason", () => {
    const decision = acceptedOf(
      applyEvent(atDecision(), { type: "decide", stepId: "go", option: "abort", reason: "lag", by: BOB }, T0),
    );
    expect(decision.run).toMatchObject({ status: "aborted", abortReason: "Go / no-go: lag" });
    expect(decision.effects).toContainEqual({ type: "run_closed", outcome: "aborted" });
  });
});

describe("irreversible steps", () => {
  it("need a teammate's approval before their action runs", () => {
    const go = play(atDecision(), [
      { type: "decide", stepId: "go", option: "continue", reason: "ok", by: BOB },
    ]);
    const started = acceptedOf(applyEvent(go, { type: "start_step", stepId: "upgrade", by: ALICE }, T0));
    expect(step(started.run, "upgrade")?.status).toBe("awaiting_approval");
    expect(started.effects.map((e) => e.type)).not.toContain("run_action");
    expect(
      refusalOf(applyEvent(started.run, { type: "approve_step", stepId: "upgrade", by: ALICE }, T0)).code,
    ).toBe("self_approval");
    const approved = acceptedOf(
      applyEvent(started.run, { type: "approve_step", stepId: "upgrade", by: BOB }, T0),
    );
    expect(approved.effects.map((e) => e.type)).toContain("run_action");
  });
});

describe("a manual point of no return", () => {
  const yaml = `
id: drop
title: Drop
summary: A manual step nobody can take back
phases:
  - id: main
    title: Main
    steps:
      - id: drop-table
        title: Drop the old table
        irreversible: true
`;

  it("is not marked done from not started: Done would pass by the approval Start waits for", () => {
    const run = newRun({ buddy: BOB }, yaml);
    const done = { type: "complete_step" as const, stepId: "drop-table", by: ALICE };
    expect(refusalOf(applyEvent(run, done, T0))).toEqual({
      code: "needs_approval",
      message:
        '"Drop the old table" is a point of no return: click Start, and mark it done once a teammate has approved it.',
    });
    // The run message offers Start, not Done, for it.
    expect(someoneMay(run, { type: "complete_step", stepId: "drop-table" })).toBe(false);
    expect(someoneMay(run, { type: "start_step", stepId: "drop-table" })).toBe(true);
    const approved = play(run, [
      { type: "start_step", stepId: "drop-table", by: ALICE },
      { type: "approve_step", stepId: "drop-table", by: BOB },
    ]);
    expect(step(acceptedOf(applyEvent(approved, done, T0)).run, "drop-table")).toMatchObject({
      status: "done",
      approvedBy: BOB,
    });
  });

  it("is marked done straight away in a rehearsal, which asks no approval", () => {
    const rehearsal = newRun({ dryRun: true }, yaml);
    const done = { type: "complete_step" as const, stepId: "drop-table", by: ALICE };
    expect(step(acceptedOf(applyEvent(rehearsal, done, T0)).run, "drop-table")?.status).toBe("done");
  });
});

/** The decision made, the upgrade approved and failed at AWS. */
function failedUpgrade(): Run {
  return play(atDecision(), [
    { type: "decide", stepId: "go", option: "continue", reason: "ok", by: BOB },
    { type: "start_step", stepId: "upgrade", by: ALICE },
    { type: "approve_step", stepId: "upgrade", by: BOB },
    reported("action_failed", "upgrade"),
  ]);
}

describe("roll back", () => {
  it("turns the rollback of each step under way or done into steps, newest first, and ends rolled back", () => {
    const run = failedUpgrade();
    expect(refusalOf(applyEvent(run, { type: "roll_back", reason: "x", by: CAROL }, T0)).code).toBe(
      "not_permitted",
    );
    // Before anything with a rollback was done, there is nothing to roll back: abort instead.
    expect(
      refusalOf(applyEvent(run0(), { type: "roll_back", reason: "x", by: ALICE }, T0)).message,
    ).toContain("abort the run instead");
    const rolling = acceptedOf(
      applyEvent(run, { type: "roll_back", reason: "upgrade failed", by: BOB }, T0),
    ).run;
    const phase = rolling.plan.phases.at(-1);
    expect(phase?.steps.map((s) => s.id)).toEqual(["undo-upgrade", "undo-snapshot", "undo-page-on"]);
    expect(phase?.steps[0]).toMatchObject({ verify: true, action: { type: "rds.restore_snapshot" } });
    // The way forward is left: its steps can't be worked any more.
    expect(refusalOf(applyEvent(rolling, { type: "start_step", stepId: "check", by: ALICE }, T0)).code).toBe(
      "rolling_back",
    );
    // In order: the second rollback step waits for the first.
    expect(
      refusalOf(applyEvent(rolling, { type: "complete_step", stepId: "undo-snapshot", by: ALICE }, T0)).code,
    ).toBe("out_of_order");
    const restoring = acceptedOf(
      applyEvent(rolling, { type: "start_step", stepId: "undo-upgrade", by: ALICE }, T0),
    );
    expect(restoring.effects).toContainEqual(
      expect.objectContaining({
        type: "run_action",
        action: expect.objectContaining({ identifier: "db-1-restored" }),
      }),
    );
    expect(refusalOf(applyEvent(restoring.run, { type: "finish", by: ALICE }, T0)).code).toBe("incomplete");
    const done = play(restoring.run, [
      {
        type: "action_succeeded",
        stepId: "undo-upgrade",
        results: { status: "available" },
        by: PREFLIGHT_USER,
      },
      { type: "verify_step", stepId: "undo-upgrade", by: BOB },
      { type: "complete_step", stepId: "undo-snapshot", by: ALICE },
      { type: "complete_step", stepId: "undo-page-on", by: ALICE },
    ]);
    const closed = acceptedOf(applyEvent(done, { type: "finish", by: ALICE }, minutesAfter(T0, 30)));
    expect(closed.run.status).toBe("rolled_back");
    expect(closed.effects).toContainEqual({ type: "run_closed", outcome: "rolled_back" });
    const summary = buildSummary({ run: closed.run, pendingReminders: [], now: minutesAfter(T0, 30) });
    expect(summary.outcome).toBe("rolled_back");
    expect(summary.rollback).toMatchObject({ reason: "upgrade failed", by: BOB });
    expect(summary.steps.map((s) => s.phase)).toContain("Roll back");
    // A roll back is worth writing down what to change, like an abort.
    expect(needsFollowUps(summary)).toBe(true);
    expect(
      refusalOf(applyEvent(closed.run, { type: "add_note", text: "x", source: "button", by: ALICE }, T0))
        .message,
    ).toContain("This run was rolled back at");
  });

  it("a decider's roll_back switches the run into rollback too", () => {
    const rolled = acceptedOf(
      applyEvent(
        atDecision(),
        { type: "decide", stepId: "go", option: "roll_back", reason: "lag", by: BOB },
        T0,
      ),
    ).run;
    expect(rolled.rollback).toMatchObject({ reason: "lag", by: BOB });
    expect(rolled.plan.phases.at(-1)?.steps.map((s) => s.id)).toEqual(["undo-snapshot", "undo-page-on"]);
  });

  it("a checklist's own rollback phase is used instead", () => {
    const yaml = `${RECOVERY_YAML}rollback:\n  title: Back out\n  steps:\n    - id: back-out\n      title: Back out everything\n`;
    const run = play(newRun({}, yaml), [{ type: "complete_step", stepId: "page-on", by: ALICE }]);
    const rolled = acceptedOf(applyEvent(run, { type: "roll_back", reason: "no", by: ALICE }, T0)).run;
    expect(rolled.plan.phases.at(-1)).toMatchObject({ title: "Back out", steps: [{ id: "back-out" }] });
  });
});

describe("a forward step waiting for verification when the run rolls back", () => {
  it("is not verified any more: the way forward is left", () => {
    const yaml = `
id: migrate
title: Migrate
summary: One checked step and a way back
phases:
  - id: main
    title: Main
    steps:
      - id: migrate
        title: Run the migration
        verify: true
rollback:
  title: Back out
  steps:
    - id: back-out
      title: Undo the migration
`;
    const rolling = play(newRun({}, yaml), [
      { type: "complete_step", stepId: "migrate", by: ALICE },
      { type: "roll_back", reason: "errors", by: ALICE },
    ]);
    expect(step(rolling, "migrate")?.status).toBe("awaiting_verification");
    expect(refusalOf(applyEvent(rolling, { type: "verify_step", stepId: "migrate", by: BOB }, T0))).toEqual({
      code: "rolling_back",
      message:
        'This run is rolling back (errors): "Run the migration" is not worked any more. Work the rollback steps, then finish the roll back.',
    });
    expect(someoneMay(rolling, { type: "verify_step", stepId: "migrate" })).toBe(false);
  });
});

describe("done by hand", () => {
  it("a failed automated step done by hand needs a teammate's verification and shows as manual", () => {
    const run = failedUpgrade();
    const byHand: RunEvent = {
      type: "done_by_hand",
      stepId: "upgrade",
      text: "ran modify-db-instance from the console, status=upgrading",
      by: ALICE,
    };
    expect(refusalOf(applyEvent(run, { ...byHand, text: " " }, T0)).code).toBe("reason_required");
    const done = acceptedOf(applyEvent(run, byHand, T0));
    expect(step(done.run, "upgrade")).toMatchObject({
      status: "awaiting_verification",
      manual: { by: ALICE },
      results: { status: "upgrading" },
    });
    expect(done.effects).toContainEqual(
      expect.objectContaining({ type: "request_verification", ask: [BOB] }),
    );
    expect(
      refusalOf(applyEvent(done.run, { type: "verify_step", stepId: "upgrade", by: ALICE }, T0)).code,
    ).toBe("self_verification");
    const verified = acceptedOf(
      applyEvent(done.run, { type: "verify_step", stepId: "upgrade", by: BOB }, T0),
    ).run;
    const summary = buildSummary({ run: verified, pendingReminders: [], now: T0 });
    expect(summary.steps.find((s) => s.id === "upgrade")?.manual).toMatchObject({ by: ALICE });
  });
});

describe("pause and resume", () => {
  it("holds the run, and paused time never counts as overrun", () => {
    const running = play(atDecision(), [
      { type: "decide", stepId: "go", option: "continue", reason: "ok", by: BOB },
      { type: "start_step", stepId: "upgrade", by: ALICE },
      { type: "approve_step", stepId: "upgrade", by: BOB },
      { type: "action_succeeded", stepId: "upgrade", results: {}, by: PREFLIGHT_USER },
      { type: "verify_step", stepId: "upgrade", by: BOB },
    ]);
    const startAt = minutesAfter(T0, 10);
    const started = acceptedOf(
      applyEvent(running, { type: "start_step", stepId: "check", by: ALICE }, startAt),
    );
    // 5 minutes in, paused for an hour, then 8 more minutes: 13 of work against 10 expected? No: 5 + 4.
    const pause = acceptedOf(
      applyEvent(
        started.run,
        { type: "pause_run", reason: "waiting for the vendor", by: BOB },
        minutesAfter(startAt, 5),
      ),
    );
    expect(pause.effects).toContainEqual({ type: "cancel_overrun_nudges", stepId: "check" });
    expect(
      refusalOf(
        applyEvent(
          pause.run,
          { type: "complete_step", stepId: "check", by: ALICE },
          minutesAfter(startAt, 6),
        ),
      ).code,
    ).toBe("paused");
    const resumed = acceptedOf(
      applyEvent(
        pause.run,
        { type: "resume_run", reason: "vendor answered", by: ALICE },
        minutesAfter(startAt, 65),
      ),
    );
    // The nudge due at start + 10m moves on by the hour paused.
    expect(resumed.effects).toContainEqual({
      type: "schedule_overrun_nudges",
      stepId: "check",
      at: [minutesAfter(startAt, 70).toISOString(), minutesAfter(startAt, 80).toISOString()],
    });
    const done = acceptedOf(
      applyEvent(
        resumed.run,
        { type: "complete_step", stepId: "check", by: ALICE },
        minutesAfter(startAt, 69),
      ),
    ).run;
    const summary = buildSummary({ run: done, pendingReminders: [], now: minutesAfter(startAt, 69) });
    const check = summary.steps.find((s) => s.id === "check");
    expect(check?.durationMs).toBe(9 * 60_000);
    expect(check?.overran).toBe(false);
    expect(summary.pauses).toEqual([
      expect.objectContaining({ reason: "waiting for the vendor", by: BOB, resumedBy: ALICE }),
    ]);
  });

  it("a decider's pause pauses the run and leaves the question open", () => {
    const paused = acceptedOf(
      applyEvent(
        atDecision(),
        { type: "decide", stepId: "go", option: "pause", reason: "wait for QA", by: BOB },
        T0,
      ),
    ).run;
    expect(step(paused, "go")?.status).toBe("pending");
    expect(paused.pauses).toHaveLength(1);
    expect(
      refusalOf(
        applyEvent(paused, { type: "decide", stepId: "go", option: "continue", reason: "ok", by: BOB }, T0),
      ).code,
    ).toBe("paused");
  });
});
