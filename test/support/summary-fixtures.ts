import { applyEvent } from "../../src/core/run/apply-event.js";
import {
  PREFLIGHT_USER,
  type Run,
  type RunEvent,
  type ScheduledReminder,
} from "../../src/core/run/run-schema.js";
import type { SummaryInput } from "../../src/core/summary.js";
import { minutesAfter, newRun, T0 } from "./checklist-fixtures.js";

/**
 * Runs for the post-mortem tests (core summary, Markdown, Slack message): an upgrade that went
 * wrong and was aborted, the same upgrade going to plan, and a very large run.
 */

export const ALICE = "U_ALICE";
export const BOB = "U_BOB";
export const CAROL = "U_CAROL";

export const UPGRADE_YAML = `
id: db-upgrade
title: Orders database upgrade
summary: Upgrade the orders database to MySQL 8.0 behind a maintenance page
parameters:
  env: { type: enum, values: [qa, prod], default: prod }
  instance: { type: string, default: "orders-{{env}}" }
phases:
  - id: before
    title: Before
    steps:
      - id: announce
        title: Announce the window
        duration: 5m
      - id: snapshot
        title: Snapshot {{instance}}
        duration: 5m-10m
        skippable: false
        action: { type: rds.snapshot, target: instance, identifier: "{{instance}}", snapshot: "{{instance}}-pre-upgrade" }
  - id: during
    title: During
    steps:
      - id: maintenance-on
        title: Turn the maintenance page on
        duration: 2m
        downtime: start
      - id: upgrade
        title: Upgrade {{instance}} to MySQL 8.0
        duration: 10m-20m
        verify: true
        skippable: false
        action: { type: rds.modify, target: instance, identifier: "{{instance}}", engine_version: "8.0.32" }
      - id: warm-cache
        title: Warm the cache (\`curl -s /warm | jq .status\`)
        duration: 5m
      - id: maintenance-off
        title: Turn the maintenance page off
        duration: 1m-2m
        downtime: end
  - id: after
    title: After
    steps:
      - id: smoke-test
        title: Smoke-test checkout
        duration: 5m
      - id: notify
        title: Tell the business
reminders:
  - id: delete-snapshot
    on: step.done
    step: snapshot
    after: 30d
    keep_on_abort: true
    text: "Delete snapshot {{steps.snapshot.id}}"
    action: { type: rds.delete_snapshot, target: instance, snapshot: "{{steps.snapshot.id}}" }
  - id: tell-business
    on: run.aborted
    channel: "#business"
    text: "The {{env}} upgrade was rolled back"
  - id: reschedule
    on: run.aborted
    after: 7d
    text: Reschedule the orders database upgrade
rules:
  environment: env
  environments:
    prod: { protected: true }
`;

/** An event at a minute after T0. */
export type Timed = readonly [minute: number, event: RunEvent];

/**
 * Applies events at their minutes (failing on a refusal) and keeps the reminders the engine
 * scheduled and did not cancel, as the scheduler would.
 */
export function playTimed(run: Run, events: readonly Timed[]): { run: Run; reminders: ScheduledReminder[] } {
  let reminders: ScheduledReminder[] = [];
  let current = run;
  for (const [minute, event] of events) {
    const decision = applyEvent(current, event, minutesAfter(T0, minute));
    if (!decision.accepted) throw new Error(`${event.type} refused: ${decision.refusal.message}`);
    for (const effect of decision.effects) {
      if (effect.type === "schedule_reminder") reminders.push(effect.reminder);
      if (effect.type === "cancel_reminders") reminders = reminders.filter((r) => r.keepOnAbort);
    }
    current = decision.run;
  }
  return { run: current, reminders };
}

const start = (stepId: string, by = ALICE): RunEvent => ({ type: "start_step", stepId, by });
const complete = (stepId: string, by = ALICE): RunEvent => ({ type: "complete_step", stepId, by });
const succeeded = (stepId: string, results: Record<string, string>): RunEvent => ({
  type: "action_succeeded",
  stepId,
  results,
  by: PREFLIGHT_USER,
});

const SNAPSHOT_ARN = "arn:aws:rds:eu-west-1:123456789012:snapshot:snap-1";

/** The aborted upgrade: two overruns, a skip, a problem resolved and one left open, three notes. */
export const ABORTED_EVENTS: readonly Timed[] = [
  [1, start("announce")],
  [3, complete("announce")],
  [4, start("snapshot")],
  [19, succeeded("snapshot", { id: "snap-1", arn: SNAPSHOT_ARN })],
  [
    20,
    {
      type: "add_note",
      stepId: "snapshot",
      text: "Snapshot took 15m; on QA it took 6m",
      source: "button",
      by: BOB,
    },
  ],
  [21, complete("maintenance-on")],
  [22, start("upgrade")],
  [23, { type: "approve_step", stepId: "upgrade", by: BOB }],
  [
    30,
    {
      type: "add_note",
      text: "Replica lag is climbing:\n40s on orders-prod-replica-1",
      source: "thread",
      by: CAROL,
    },
  ],
  [32, { type: "report_problem", stepId: "upgrade", text: "Replica lag above 30s", by: CAROL }],
  [
    45,
    {
      type: "resolve_problem",
      problemId: "p1",
      resolution: "Lag recovered once the upgrade finished",
      by: BOB,
    },
  ],
  [48, succeeded("upgrade", { engine_version: "8.0.32", status: "available" })],
  [50, { type: "verify_step", stepId: "upgrade", by: CAROL }],
  [51, { type: "skip_step", stepId: "warm-cache", reason: "The cache warms itself under traffic", by: BOB }],
  [52, start("maintenance-off")],
  [53, complete("maintenance-off")],
  [54, start("smoke-test")],
  [
    56,
    {
      type: "report_problem",
      stepId: "smoke-test",
      text: "Checkout returns 500 for some EU customers",
      by: CAROL,
    },
  ],
  [
    58,
    {
      type: "add_note",
      stepId: "smoke-test",
      text: "Rolling back beats a fix under pressure",
      source: "button",
      by: ALICE,
    },
  ],
  [
    64,
    {
      type: "abort",
      reason: "Checkout errors after the upgrade; restoring from snap-1 in a new run",
      by: ALICE,
    },
  ],
];

/** When the post-mortem is read: two hours after the start. */
export const SUMMARY_NOW = minutesAfter(T0, 120);

/** What was recorded around the run after it was aborted: a post that failed, two follow-ups. */
export const ABORTED_RECORDS: readonly Timed[] = [
  [
    65,
    {
      type: "post_failed",
      what: 'the reminder "The prod upgrade was rolled back"',
      error: "channel_not_found",
      by: PREFLIGHT_USER,
    },
  ],
  [
    95,
    {
      type: "follow_up_added",
      text: "Add a checkout smoke test on QA before the maintenance page goes off",
      by: ALICE,
    },
  ],
  [
    90,
    {
      type: "follow_up_added",
      text: "Take the snapshot an hour before the window:\nit took 15m on prod, 6m on QA",
      by: BOB,
    },
  ],
];

export function abortedRunInput(): SummaryInput {
  const created = newRun(
    {
      source: {
        hash: "3f9a1c2b7d4e",
        commit: "9c1e5f0a2b3c4d5e6f708192a3b4c5d6e7f80912",
        file: "checklists/db-upgrade.yaml",
      },
    },
    UPGRADE_YAML,
  );
  const { run, reminders } = playTimed(created, [...ABORTED_EVENTS, ...ABORTED_RECORDS]);
  // What fired already is no longer pending.
  const pendingReminders = reminders.filter((r) => Date.parse(r.dueAt) > SUMMARY_NOW.getTime());
  return { run, pendingReminders, now: SUMMARY_NOW };
}

/** The same upgrade going to plan: every step within its expected time, no problem. */
export const FINISHED_EVENTS: readonly Timed[] = [
  [1, complete("announce")],
  [2, start("snapshot")],
  [8, succeeded("snapshot", { id: "snap-2" })],
  [9, complete("maintenance-on")],
  [10, start("upgrade")],
  [11, { type: "approve_step", stepId: "upgrade", by: BOB }],
  [25, succeeded("upgrade", { engine_version: "8.0.32", status: "available" })],
  [26, { type: "verify_step", stepId: "upgrade", by: BOB }],
  [27, complete("warm-cache")],
  [28, complete("maintenance-off")],
  [29, start("smoke-test")],
  [32, complete("smoke-test")],
  [33, complete("notify", BOB)],
  [34, { type: "finish", by: ALICE }],
];

export function finishedRunInput(): SummaryInput {
  const { run, reminders } = playTimed(newRun({}, UPGRADE_YAML), FINISHED_EVENTS);
  return { run, pendingReminders: reminders, now: SUMMARY_NOW };
}
