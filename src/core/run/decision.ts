import type { Effect, Refusal, RefusalCode } from "./effects.js";
import { type ReminderTrigger, remindersFor, withReminders } from "./reminders.js";
import type { Activity, Run, RunEvent, StepState } from "./run-schema.js";
import { describeStatus, type LocatedStep } from "./step-rules.js";

/** The building blocks every event handler returns its decision with. */

export type Decision =
  | { accepted: true; run: Run; effects: Effect[] }
  | { accepted: false; refusal: Refusal };

export type EventOf<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;

/** The reminders a trigger sets off: kept on the run, and handed to the scheduler as effects. */
export function scheduleReminders(
  run: Run,
  trigger: ReminderTrigger,
  now: Date,
): { run: Run; effects: Effect[] } {
  const scheduled = remindersFor(run, trigger, now);
  return {
    run: withReminders(run, scheduled),
    effects: scheduled.map((reminder) => ({ type: "schedule_reminder", reminder })),
  };
}

export function cancelRunningNudges(run: Run): Effect[] {
  return run.steps
    .filter((step) => step.status === "running")
    .map((step) => ({ type: "cancel_overrun_nudges", stepId: step.id }));
}

export function withStep(run: Run, step: StepState): Run {
  return { ...run, steps: run.steps.map((s) => (s.id === step.id ? step : s)) };
}

/** Events after which a message drawn earlier shows the wrong buttons. */
export const MOVES_THE_RUN_ON = new Set<RunEvent["type"]>([
  "start_step",
  "approve_step",
  "approve_override",
  "action_succeeded",
  "action_failed",
  "complete_step",
  "verify_step",
  "skip_step",
  "hand_over",
  "set_buddy",
  "reassign_step",
  "abort",
  "finish",
  "decide",
  "pause_run",
  "resume_run",
  "roll_back",
  "done_by_hand",
]);

export function recorded(before: Run, next: Run, event: RunEvent, at: string, extra: ActivityExtra): Run {
  const progress = before.progress + (MOVES_THE_RUN_ON.has(event.type) ? 1 : 0);
  const activity: Activity = { at, by: event.by, type: event.type, ...definedOnly(extra), progress };
  return { ...next, version: before.version + 1, progress, history: [...before.history, activity] };
}

type ActivityExtra = Pick<Activity, "stepId" | "detail" | "key">;

/** Every accepted event bumps the version, joins the history and refreshes the run message. */
export function accept(
  before: Run,
  next: Run,
  event: RunEvent,
  at: string,
  effects: Effect[],
  extra: ActivityExtra,
): Decision {
  const run = recorded(before, next, event, at, extra);
  const activity = run.history.at(-1) as Activity;
  return {
    accepted: true,
    run,
    effects: [{ type: "refresh_run_message" }, { type: "post_activity", activity }, ...effects],
  };
}

/**
 * Whether the run message shows what an accepted decision changed, so it must be redrawn: the
 * decision says so (`refresh_run_message`: every step event, a ticket link), or the run moved on
 * or changed status. A record (a reminder posted, a note from the thread, a follow-up) changes
 * nothing the message shows: redrawing it would spend a `chat.update` (Tier 3) on the same message.
 */
export function changesRunMessage(before: Run, decision: Extract<Decision, { accepted: true }>): boolean {
  return (
    decision.effects.some((effect) => effect.type === "refresh_run_message") ||
    decision.run.progress !== before.progress ||
    decision.run.status !== before.status
  );
}

/**
 * A record (a reminder posted or handled, a follow-up): it joins the history and bumps the
 * version, but the run message shows none of it, so nothing is redrawn. `line`: say it in the thread.
 */
export function acceptRecord(
  before: Run,
  next: Run,
  event: RunEvent,
  at: string,
  effects: Effect[],
  extra: ActivityExtra & { line: boolean },
): Decision {
  const { line, ...rest } = extra;
  const run = recorded(before, next, event, at, rest);
  const activity = run.history.at(-1) as Activity;
  return {
    accepted: true,
    run,
    effects: [...(line ? [{ type: "post_activity" as const, activity }] : []), ...effects],
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function refuse(code: RefusalCode, message: string): Decision {
  return { accepted: false, refusal: { code, message } };
}

export function refused(refusal: Refusal): Decision {
  return { accepted: false, refusal };
}

export function unknownStep(stepId: string): Decision {
  return refuse("unknown_step", `This run has no step "${stepId}".`);
}

export function outOfOrder(located: LocatedStep, blocker: LocatedStep): Decision {
  return refuse(
    "out_of_order",
    `"${located.plan.title}" can't start yet: "${blocker.plan.title}" comes first and is ${describeStatus(blocker.state.status)}.`,
  );
}
