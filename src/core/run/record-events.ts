import { recordHistory } from "../history/record-history.js";
import { acceptRecord, type Decision, type EventOf, refuse, refused } from "./decision.js";
import type { Effect } from "./effects.js";
import { actionOf, can } from "./permissions.js";
import { reminderKey, scheduledOf, withReminders } from "./reminders.js";
import type { ReminderState, Run, RunEvent } from "./run-schema.js";
import { reminderOf } from "./run-schema.js";
import { followUpTrackerEffects } from "./tracker-events.js";

/**
 * Records: what happened around a run rather than to its steps — a reminder posted or handled,
 * a snapshot deleted from a reminder, a follow-up written down, a post that failed. They join
 * the history and bump the version, never the progress (nobody's buttons go stale), and a
 * finished or aborted run still takes them.
 */

function asked(run: Run, event: RunEvent): Decision | undefined {
  const permission = can(run, actionOf(event), event.by, event.groups);
  return permission.allowed ? undefined : refused(permission.refusal);
}

function withReminder(run: Run, key: string, change: Partial<ReminderState>): Run {
  const reminder = reminderOf(run, key) as ReminderState;
  return { ...run, reminders: { ...run.reminders, [key]: { ...reminder, ...change } } };
}

/** The reminder's message is in Slack: its ts lets it be found (and updated) later. */
export function reminderPosted(run: Run, event: EventOf<"reminder_posted">, at: string): Decision {
  const refusal = asked(run, event);
  if (refusal) return refusal;
  const reminder = reminderOf(run, event.key);
  if (!reminder) return refuse("unknown_reminder", `Run ${run.id} has no reminder "${event.key}".`);
  if (reminder.posted)
    return refuse("wrong_state", `The reminder "${event.key}" was posted already (${reminder.posted.ts}).`);
  const next = withReminder(run, event.key, { posted: { channel: event.channel, ts: event.ts, at } });
  // The reminder itself is the message people see: no line in the thread for it.
  return acceptRecord(run, next, event, at, [], { key: event.key, line: false });
}

/**
 * Done, Snooze or the reminder's action: the first click decides (`can` refuses the next ones,
 * saying who handled it). A snooze is decided here, and only then is the next occurrence handed
 * to the scheduler.
 */
export function reminderHandled(run: Run, event: EventOf<"reminder_handled">, now: Date): Decision {
  const at = now.toISOString();
  const refusal = asked(run, event);
  if (refusal) return refusal;
  const reminder = reminderOf(run, event.key) as ReminderState;
  if (event.outcome === "snoozed" && (event.until === undefined || Date.parse(event.until) <= now.getTime()))
    return refuse("reason_required", "A snooze needs a time in the future to bring the reminder back.");
  const handled = {
    by: event.by,
    at,
    outcome: event.outcome,
    ...(event.outcome === "snoozed" && event.until !== undefined ? { until: event.until } : {}),
  };
  let next = withReminder(run, event.key, { handled });
  const effects: Effect[] = [];
  if (event.outcome === "snoozed" && event.until !== undefined) {
    const occurrence = reminder.occurrence + 1;
    const again = {
      ...scheduledOf(run, reminder),
      occurrence,
      key: reminderKey(run.id, reminder.reminderId, occurrence),
      dueAt: event.until,
    };
    next = withReminders(next, [again]);
    effects.push({ type: "schedule_reminder", reminder: again });
  }
  // The deletion says itself in the thread once it happened (snapshot_deleted).
  return acceptRecord(run, next, event, at, effects, {
    key: event.key,
    detail: reminder.text,
    line: event.outcome !== "action",
  });
}

/** The snapshot a reminder offered to delete is gone: recorded for whoever claimed the reminder for it. */
export function snapshotDeleted(run: Run, event: EventOf<"snapshot_deleted">, at: string): Decision {
  const refusal = asked(run, event);
  if (refusal) return refusal;
  const deleted = { snapshot: event.snapshot, region: event.region, by: event.by, at };
  const next = withReminder(run, event.key, { snapshotDeleted: deleted });
  return acceptRecord(run, next, event, at, [], { key: event.key, detail: event.snapshot, line: true });
}

/** The first of two people asked to delete a reminder's snapshot (protected environment). */
export function deletionRequested(run: Run, event: EventOf<"deletion_requested">, at: string): Decision {
  const refusal = asked(run, event);
  if (refusal) return refusal;
  const next = withReminder(run, event.key, { deletionRequested: { by: event.by, at } });
  const reminder = reminderOf(run, event.key);
  const snapshot = reminder?.action?.type === "rds.delete_snapshot" ? reminder.action.snapshot : event.key;
  return acceptRecord(run, next, event, at, [], { key: event.key, detail: snapshot, line: true });
}

export function followUpAdded(run: Run, event: EventOf<"follow_up_added">, at: string): Decision {
  const refusal = asked(run, event);
  if (refusal) return refusal;
  if (event.text.trim() === "")
    return refuse("reason_required", "Write the follow-up: what went wrong, or what to change.");
  const next = { ...run, followUps: [...run.followUps, { at, by: event.by, text: event.text }] };
  // A closed run's history entry carries what its follow-ups asked to change in the checklist.
  return acceptRecord(run, next, event, at, [...recordHistory(next), ...followUpTrackerEffects(next)], {
    detail: event.text,
    line: true,
  });
}

/** A post Preflight could not make after every retry: kept on the run and said in its thread. */
export function postFailed(run: Run, event: EventOf<"post_failed">, at: string): Decision {
  const refusal = asked(run, event);
  if (refusal) return refusal;
  const failure = { at, what: event.what, error: event.error };
  const next = { ...run, postFailures: [...run.postFailures, failure] };
  return acceptRecord(run, next, event, at, [], {
    detail: `${event.what} could not be posted: ${event.error}`,
    line: true,
  });
}
