import { mapStrings, renderTemplate } from "../checklist/template.js";
import { parseDuration } from "../duration.js";
import { liveValues } from "./eta.js";
import { rehearsalReminder } from "./rehearsal.js";
import type { ReminderState, Run, ScheduledReminder } from "./run-schema.js";

export type ReminderTrigger =
  | { on: "run.started" | "run.finished" | "run.aborted" }
  | { on: "step.done"; stepId: string };

/** Values of automated steps, as `steps.<id>.<key>`, for texts rendered after the run began. */
export function stepResultValues(run: Run): Record<string, string> {
  const values: Record<string, string> = {};
  for (const step of run.steps) {
    for (const [key, value] of Object.entries(step.results)) values[`steps.${step.id}.${key}`] = value;
  }
  return values;
}

/** The checklist's reminders that a trigger sets off, with due times and final texts. */
export function remindersFor(
  run: Run,
  trigger: ReminderTrigger,
  now: Date,
  occurrence = 0,
): ScheduledReminder[] {
  const values = { ...liveValues(run, now), ...stepResultValues(run) };
  return run.plan.reminders
    .filter(
      (reminder) =>
        reminder.on === trigger.on && (trigger.on !== "step.done" || reminder.step === trigger.stepId),
    )
    .map(
      (reminder): ScheduledReminder => ({
        key: reminderKey(run.id, reminder.id, occurrence),
        runId: run.id,
        reminderId: reminder.id,
        occurrence,
        dueAt: new Date(now.getTime() + (parseDuration(reminder.after) ?? 0)).toISOString(),
        channel: reminder.channel ?? run.channel,
        runChannel: run.channel,
        text: renderTemplate(reminder.text, values),
        keepOnAbort: reminder.keep_on_abort,
        ...(reminder.action
          ? { action: mapStrings(reminder.action, (text) => renderTemplate(text, values)) }
          : {}),
      }),
    )
    .map((scheduled) => rehearsalReminder(run, scheduled));
}

/** Job ids may not contain ':' (BullMQ); run and reminder ids are slugs, so '.' separates safely. */
export function reminderKey(runId: string, reminderId: string, occurrence: number): string {
  return `${runId}.${reminderId}.${occurrence}`;
}

/** The run with these reminders kept on it as scheduled (the scheduler gets them as effects). */
export function withReminders(run: Run, scheduled: readonly ScheduledReminder[]): Run {
  if (scheduled.length === 0) return run;
  const reminders = { ...run.reminders };
  for (const { runId: _runId, ...reminder } of scheduled) reminders[reminder.key] = reminder;
  return { ...run, reminders };
}

/** The reminder as the scheduler wants it, from what the run keeps. */
export function scheduledOf(run: Run, reminder: ReminderState): ScheduledReminder {
  const { posted: _p, handled: _h, cancelledAt: _c, snapshotDeleted: _s, ...scheduled } = reminder;
  return { ...scheduled, runId: run.id };
}
