import type { Run } from "./run-schema.js";

/** How far ahead a person's Home tab lists the reminders of their runs. */
export const UPCOMING_DAYS = 30;

export interface UpcomingReminder {
  run: Run;
  key: string;
  dueAt: string;
  text: string;
}

/**
 * The reminders of these runs still to be handled and due before `now` + 30 days (those already
 * posted and waiting included), soonest first. A handled or cancelled one is left out; a snooze
 * schedules a new occurrence, which is listed when it is due.
 */
export function upcomingReminders(runs: readonly Run[], now: Date): UpcomingReminder[] {
  const until = now.getTime() + UPCOMING_DAYS * 86_400_000;
  return runs
    .flatMap((run) =>
      Object.entries(run.reminders).flatMap(([key, state]) =>
        state.handled || state.cancelledAt || state.dryRun || Date.parse(state.dueAt) > until
          ? []
          : [{ run, key, dueAt: state.dueAt, text: state.text }],
      ),
    )
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}
