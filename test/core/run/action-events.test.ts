import { describe, expect, it } from "vitest";
import { applyEvent, type Decision } from "../../../src/core/run/apply-event.js";
import type { Effect } from "../../../src/core/run/effects.js";
import { PREFLIGHT_USER, type Run, type RunEvent } from "../../../src/core/run/run-schema.js";
import { minutesAfter, newRun, T0 } from "../../support/checklist-fixtures.js";

const AUTOMATED = `
id: automated
title: Automated
summary: Snapshot, then a protected modify, then a check
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
  instance: { type: string, default: "db-{{env}}" }
phases:
  - id: during
    title: During
    steps:
      - id: take-snapshot
        title: Take snapshot
        duration: 5m
        action: { type: rds.snapshot, target: instance, identifier: "{{instance}}", snapshot: "{{instance}}-{{date}}" }
      - id: modify
        title: Modify
        verify: true
        action: { type: rds.modify, target: instance, identifier: "{{instance}}", engine_version: "8.0.32" }
      - id: forget-snapshot
        title: Note the snapshot
        details: "Snapshot {{steps.take-snapshot.id}} was taken"
reminders:
  - id: delete
    on: step.done
    step: take-snapshot
    after: 30d
    text: Delete {{steps.take-snapshot.id}}
rules:
  environment: env
  environments:
    prod: { protected: true }
`;

const ALICE = "U_ALICE";
const BOB = "U_BOB";

function play(run: Run, events: RunEvent[]): Run {
  return events.reduce((current, event, i) => {
    const decision = applyEvent(current, event, minutesAfter(T0, i + 1));
    if (!decision.accepted) throw new Error(`${event.type} refused: ${decision.refusal.message}`);
    return decision.run;
  }, run);
}
const refusal = (decision: Decision) => (decision.accepted ? undefined : decision.refusal);
const effects = (decision: Decision) => (decision.accepted ? decision.effects : []);
const ofType = <T extends Effect["type"]>(list: Effect[], type: T) =>
  list.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
const succeeded = (stepId: string, results: Record<string, string>): RunEvent => ({
  type: "action_succeeded",
  stepId,
  results,
  by: PREFLIGHT_USER,
});

describe("automated steps", () => {
  it("starting one asks for its action, with parameters filled in; a click can't mark it done", () => {
    const run = newRun({}, AUTOMATED);
    const start = applyEvent(run, { type: "start_step", stepId: "take-snapshot", by: ALICE }, T0);
    expect(ofType(effects(start), "run_action")).toEqual([
      {
        type: "run_action",
        stepId: "take-snapshot",
        dryRun: false,
        jobKey: "run-1.take-snapshot.action.0",
        action: {
          type: "rds.snapshot",
          target: "instance",
          identifier: "db-qa",
          snapshot: "db-qa-2026-11-20",
        },
      },
    ]);
    expect(
      refusal(applyEvent(run, { type: "complete_step", stepId: "take-snapshot", by: ALICE }, T0)),
    ).toMatchObject({
      code: "automated",
      message: expect.stringContaining('Preflight runs "Take snapshot" itself'),
    });
  });

  it("its results complete it, flow into later steps' texts and into reminders", () => {
    const run = play(newRun({}, AUTOMATED), [{ type: "start_step", stepId: "take-snapshot", by: ALICE }]);
    const decision = applyEvent(
      run,
      succeeded("take-snapshot", { id: "db-qa-2026-11-20", arn: "arn:aws:rds:x" }),
      T0,
    );
    const after = decision.accepted ? decision.run : run;
    expect(after.steps[0]).toMatchObject({
      status: "done",
      completedBy: ALICE,
      results: { id: "db-qa-2026-11-20", arn: "arn:aws:rds:x" },
    });
    expect(ofType(effects(decision), "schedule_reminder")[0]?.reminder.text).toBe("Delete db-qa-2026-11-20");
    expect(ofType(effects(decision), "cancel_overrun_nudges")).toHaveLength(1);
  });

  it("a failure marks the step failed with the reason, and it can be retried", () => {
    const run = play(newRun({}, AUTOMATED), [
      { type: "start_step", stepId: "take-snapshot", by: ALICE },
      {
        type: "action_failed",
        stepId: "take-snapshot",
        error: "AWS denied CreateDBSnapshot",
        by: PREFLIGHT_USER,
      },
    ]);
    expect(run.steps[0]).toMatchObject({ status: "failed", failure: "AWS denied CreateDBSnapshot" });
    const retry = applyEvent(run, { type: "start_step", stepId: "take-snapshot", by: BOB }, T0);
    expect(ofType(effects(retry), "run_action")).toHaveLength(1);
    expect(retry.accepted && retry.run.steps[0]?.failure).toBeUndefined();
  });

  it("a report about a step that moved on (skipped, retried) is refused, not applied", () => {
    const run = play(newRun({}, AUTOMATED), [
      { type: "start_step", stepId: "take-snapshot", by: ALICE },
      { type: "skip_step", stepId: "take-snapshot", reason: "taken by hand", by: ALICE },
    ]);
    expect(refusal(applyEvent(run, succeeded("take-snapshot", { id: "x" }), T0))).toMatchObject({
      code: "wrong_state",
    });
  });

  it("progress redraws the message without a thread line and without making buttons stale", () => {
    const run = play(newRun({}, AUTOMATED), [{ type: "start_step", stepId: "take-snapshot", by: ALICE }]);
    const decision = applyEvent(
      run,
      { type: "action_progress", stepId: "take-snapshot", status: "creating 40%", by: PREFLIGHT_USER },
      T0,
    );
    expect(effects(decision)).toEqual([{ type: "refresh_run_message" }]);
    expect(decision.accepted && decision.run.steps[0]?.actionStatus).toBe("creating 40%");
    expect(decision.accepted && decision.run.progress).toBe(run.progress);
  });
});

describe("a mutating action in a protected environment", () => {
  const prodRun = () =>
    play(newRun({ params: { env: "prod" } }, AUTOMATED), [
      { type: "start_step", stepId: "take-snapshot", by: ALICE },
      succeeded("take-snapshot", { id: "db-prod-snap" }),
    ]);

  it("waits for a teammate's approval before it runs", () => {
    const decision = applyEvent(prodRun(), { type: "start_step", stepId: "modify", by: ALICE }, T0);
    expect(ofType(effects(decision), "run_action")).toEqual([]);
    expect(ofType(effects(decision), "request_approval")).toEqual([
      { type: "request_approval", stepId: "modify", requestedBy: ALICE, ask: [BOB] },
    ]);
    expect(decision.accepted && decision.run.steps[1]?.status).toBe("awaiting_approval");
  });

  it("is refused when the person who asked for it approves it", () => {
    const run = play(prodRun(), [{ type: "start_step", stepId: "modify", by: ALICE }]);
    expect(refusal(applyEvent(run, { type: "approve_step", stepId: "modify", by: ALICE }, T0))).toEqual({
      code: "self_approval",
      message: 'You asked for "Modify", so you can\'t approve it: a teammate must approve the change.',
    });
  });

  it("runs once a teammate approved it, and its verification still needs someone other than who asked", () => {
    const run = play(prodRun(), [{ type: "start_step", stepId: "modify", by: ALICE }]);
    const approve = applyEvent(run, { type: "approve_step", stepId: "modify", by: BOB }, T0);
    expect(ofType(effects(approve), "run_action")[0]?.action).toMatchObject({
      type: "rds.modify",
      identifier: "db-prod",
    });
    const done = play(approve.accepted ? approve.run : run, [succeeded("modify", { status: "modifying" })]);
    expect(done.steps[1]).toMatchObject({
      status: "awaiting_verification",
      completedBy: ALICE,
      approvedBy: BOB,
    });
    expect(refusal(applyEvent(done, { type: "verify_step", stepId: "modify", by: ALICE }, T0))).toMatchObject(
      { code: "self_verification" },
    );
  });

  it("needs no approval outside the protected environment, or in a dry run", () => {
    const qa = play(newRun({}, AUTOMATED), [
      { type: "start_step", stepId: "take-snapshot", by: ALICE },
      succeeded("take-snapshot", { id: "s" }),
    ]);
    expect(
      ofType(effects(applyEvent(qa, { type: "start_step", stepId: "modify", by: ALICE }, T0)), "run_action"),
    ).toHaveLength(1);
    const dry = play(newRun({ params: { env: "prod" }, dryRun: true }, AUTOMATED), [
      { type: "start_step", stepId: "take-snapshot", by: ALICE },
      succeeded("take-snapshot", { id: "s" }),
    ]);
    const start = applyEvent(dry, { type: "start_step", stepId: "modify", by: ALICE }, T0);
    expect(ofType(effects(start), "run_action")[0]?.dryRun).toBe(true);
  });
});

describe("a snapshot deletion step in a protected environment", () => {
  const DELETING = AUTOMATED.replace(
    `      - id: forget-snapshot
        title: Note the snapshot`,
    `      - id: drop-old-snapshot
        title: Delete the old snapshot
        action: { type: rds.delete_snapshot, target: instance, snapshot: "{{instance}}-old" }
      - id: forget-snapshot
        title: Note the snapshot`,
  );
  const reachDeletion = (run: Run) =>
    play(run, [
      { type: "start_step", stepId: "take-snapshot", by: ALICE },
      succeeded("take-snapshot", { id: "s" }),
      { type: "skip_step", stepId: "modify", reason: "not this time", by: ALICE },
    ]);

  it("needs a second person: one person's start deletes nothing", () => {
    const run = reachDeletion(newRun({ params: { env: "prod" } }, DELETING));
    const start = applyEvent(run, { type: "start_step", stepId: "drop-old-snapshot", by: ALICE }, T0);
    expect(ofType(effects(start), "run_action")).toEqual([]);
    expect(start.accepted && start.run.steps[2]?.status).toBe("awaiting_approval");
    const waiting = play(run, [{ type: "start_step", stepId: "drop-old-snapshot", by: ALICE }]);
    expect(
      refusal(applyEvent(waiting, { type: "approve_step", stepId: "drop-old-snapshot", by: ALICE }, T0)),
    ).toMatchObject({ code: "self_approval" });
    const approved = applyEvent(waiting, { type: "approve_step", stepId: "drop-old-snapshot", by: BOB }, T0);
    expect(ofType(effects(approved), "run_action")[0]?.action).toMatchObject({
      type: "rds.delete_snapshot",
      snapshot: "db-prod-old",
    });
  });

  it("one person may delete outside the protected environment", () => {
    const run = reachDeletion(newRun({}, DELETING));
    const start = applyEvent(run, { type: "start_step", stepId: "drop-old-snapshot", by: ALICE }, T0);
    expect(ofType(effects(start), "run_action")).toHaveLength(1);
  });
});
