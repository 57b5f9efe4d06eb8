import type { Run, ScheduledReminder } from "./run-schema.js";

/**
 * A dry run is a rehearsal: it calls no AWS API, never counts for an environment gate (gate.ts),
 * never posts outside its own thread and never offers a real deletion. Every message it posts
 * says so with the same mark.
 */

export const REHEARSAL_MARK = "🧪 Rehearsal (dry run)";

/**
 * Where a rehearsal's reminder goes: its own run's channel (posted in the thread), remembering
 * the channel the checklist names so the thread can say "would post to #business-updates".
 */
export function rehearsalReminder(run: Run, reminder: ScheduledReminder): ScheduledReminder {
  if (!run.dryRun) return reminder;
  const elsewhere = reminder.channel !== run.channel ? { wouldPostTo: reminder.channel } : {};
  return { ...reminder, channel: run.channel, dryRun: true, ...elsewhere };
}

/** A reminder offers a real snapshot deletion only when it belongs to a real run. */
export function offersDeletion(reminder: ScheduledReminder): boolean {
  return reminder.action?.type === "rds.delete_snapshot" && reminder.dryRun !== true;
}

/** A line a rehearsal posts, marked as one; a real run's line as it is. */
export function markRehearsal(run: Pick<Run, "dryRun">, line: string): string {
  return run.dryRun ? `${REHEARSAL_MARK} · ${line}` : line;
}
