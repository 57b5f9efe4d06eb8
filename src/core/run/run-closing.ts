import { recordHistory } from "../history/record-history.js";
import { trackerCloseEffects } from "../tracker/tracker-effects.js";
import {
  accept,
  cancelRunningNudges,
  type Decision,
  type EventOf,
  refuse,
  refused,
  scheduleReminders,
} from "./decision.js";
import type { Effect } from "./effects.js";
import { actionOf, can } from "./permissions.js";
import type { Run, RunEvent } from "./run-schema.js";

/** Closing a run: an abort, a decision point's abort, a finish (a roll-back finishes as rolled back). */

export function abort(run: Run, event: EventOf<"abort">, now: Date): Decision {
  const permission = can(run, actionOf(event), event.by, event.groups);
  if (!permission.allowed) return refused(permission.refusal);
  if (event.reason.trim() === "")
    return refuse("reason_required", "Give a reason for aborting: it goes into the post-mortem.");
  return closeAborted(run, event, now);
}

/** Closes the run as aborted: an abort, or a decision point's `abort` (recovery-events.ts). */
export function closeAborted(run: Run, event: RunEvent & { reason: string }, now: Date): Decision {
  const at = now.toISOString();
  const aborted: Run = {
    ...run,
    status: "aborted",
    closedAt: at,
    abortReason: event.reason,
    reminders: cancelledOnAbort(run, at),
  };
  const reminders = scheduleReminders(aborted, { on: "run.aborted" }, now);
  const trackers = trackerCloseEffects(reminders.run);
  const effects: Effect[] = [
    { type: "cancel_reminders", runId: run.id, keepOnAbort: true },
    ...cancelRunningNudges(run),
    ...reminders.effects,
    { type: "run_closed", outcome: "aborted" },
    ...recordHistory(trackers.run),
    ...trackers.effects,
  ];
  return accept(run, trackers.run, event, at, effects, { detail: event.reason });
}

export function finish(run: Run, event: EventOf<"finish">, now: Date): Decision {
  const at = now.toISOString();
  const permission = can(run, actionOf(event), event.by, event.groups);
  if (!permission.allowed) return refused(permission.refusal);
  // A run that rolled back did not finish what it set out to do: no run.finished reminders.
  if (run.rollback) {
    const rolledBack: Run = {
      ...run,
      status: "rolled_back",
      closedAt: at,
      reminders: cancelledOnAbort(run, at),
    };
    const trackers = trackerCloseEffects(rolledBack);
    const effects: Effect[] = [
      { type: "cancel_reminders", runId: run.id, keepOnAbort: true },
      { type: "run_closed", outcome: "rolled_back" },
      ...recordHistory(trackers.run),
      ...trackers.effects,
    ];
    return accept(run, trackers.run, event, at, effects, { detail: "rolled back" });
  }
  const reminders = scheduleReminders(
    { ...run, status: "finished", closedAt: at },
    { on: "run.finished" },
    now,
  );
  const trackers = trackerCloseEffects(reminders.run);
  const effects: Effect[] = [
    ...reminders.effects,
    { type: "run_closed", outcome: "finished" },
    ...recordHistory(trackers.run),
    ...trackers.effects,
  ];
  return accept(run, trackers.run, event, at, effects, {});
}

/** Aborting cancels the reminders not yet posted, except those kept on abort (the snapshot still exists). */
function cancelledOnAbort(run: Run, at: string): Run["reminders"] {
  return Object.fromEntries(
    Object.entries(run.reminders).map(([key, reminder]) => [
      key,
      reminder.keepOnAbort || reminder.posted || reminder.handled
        ? reminder
        : { ...reminder, cancelledAt: at },
    ]),
  );
}
