import { parseNotBefore } from "../checklist/validate-conditions.js";
import { formatDuration } from "../duration.js";
import type { Effect, Refusal } from "./effects.js";
import { readableClock } from "./eta.js";
import { rehearsalReminder } from "./rehearsal.js";
import { reminderKey, withReminders } from "./reminders.js";
import type { Run, ScheduledReminder } from "./run-schema.js";
import { findStep, isFinished, type LocatedStep } from "./step-rules.js";

/**
 * Timed gates (`not_before: 24h after <step-id>`): soak times. The step can't start before the
 * named step finished plus the wait; the run message shows when it opens, and a reminder is
 * scheduled for then (through the reminders' timed jobs) as soon as the named step finishes.
 */

export type GateState =
  | { kind: "none" }
  /** The step it counts from is not finished yet. */
  | { kind: "waiting_for"; stepTitle: string; wait: string }
  | { kind: "opens"; atMs: number; after: string; wait: string };

export function gateOf(run: Run, located: Pick<LocatedStep, "plan">): GateState {
  const gate = located.plan.not_before ? parseNotBefore(located.plan.not_before) : undefined;
  const from = gate ? findStep(run, gate.stepId) : undefined;
  if (!gate || !from || from.state.status === "not_applicable") return { kind: "none" };
  const wait = formatDuration(gate.afterMs);
  const finishedAt = from.state.completedAt ?? from.state.skippedAt;
  if (!isFinished(from.state.status) || finishedAt === undefined)
    return { kind: "waiting_for", stepTitle: from.plan.title, wait };
  return { kind: "opens", atMs: Date.parse(finishedAt) + gate.afterMs, after: from.plan.title, wait };
}

/** Why the step can't start yet; undefined once its soak time is over (or it has none). */
export function soakRefusal(run: Run, located: LocatedStep, now: Date): Refusal | undefined {
  const gate = gateOf(run, located);
  const title = located.plan.title;
  if (gate.kind === "waiting_for")
    return {
      code: "not_yet",
      message: `"${title}" can start ${gate.wait} after "${gate.stepTitle}" is done, which it is not yet.`,
    };
  if (gate.kind === "opens" && now.getTime() < gate.atMs)
    return {
      code: "not_yet",
      message: `"${title}" can't start before ${readableClock(gate.atMs, now)}: it waits ${gate.wait} after "${gate.after}" (a soak time). A reminder is posted when it opens.`,
    };
  return undefined;
}

/** Reminders for the gated steps whose soak time began with this event (the step they count from finished). */
export function gateReminders(before: Run, after: Run, now: Date): { run: Run; effects: Effect[] } {
  const finishedNow = new Set(
    after.steps
      .filter((step, i) => isFinished(step.status) && !isFinished(before.steps[i]?.status ?? "pending"))
      .map((step) => step.id),
  );
  if (finishedNow.size === 0) return { run: after, effects: [] };
  const scheduled: ScheduledReminder[] = [];
  for (const state of after.steps) {
    const located = findStep(after, state.id);
    const gate = located?.plan.not_before ? parseNotBefore(located.plan.not_before) : undefined;
    if (!located || !gate || !finishedNow.has(gate.stepId) || state.status !== "pending") continue;
    const opens = gateOf(after, located);
    if (opens.kind !== "opens") continue;
    const reminderId = `gate-${state.id}`;
    scheduled.push(
      rehearsalReminder(after, {
        key: reminderKey(after.id, reminderId, 0),
        runId: after.id,
        reminderId,
        occurrence: 0,
        dueAt: new Date(Math.max(opens.atMs, now.getTime())).toISOString(),
        channel: after.channel,
        runChannel: after.channel,
        text: `"${located.plan.title}" can start now: its soak time (${opens.wait} after "${opens.after}") is over.`,
        keepOnAbort: false,
      }),
    );
  }
  return {
    run: withReminders(after, scheduled),
    effects: scheduled.map((reminder) => ({ type: "schedule_reminder" as const, reminder })),
  };
}
