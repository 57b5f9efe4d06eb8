import { isProtected } from "./action-events.js";
import type { Run, ScheduledReminder } from "./run-schema.js";

/**
 * Deleting a snapshot from a reminder (the run has usually been closed for weeks, so this is
 * decided outside the run's state machine and recorded in its log). In a protected environment
 * two people are needed: the first asks, a different person confirms, and only then is the
 * snapshot deleted. A rehearsal's reminder never deletes anything.
 */

/** Log entry types of the two halves, as stored with the run. */
export const DELETION_REQUESTED = "deletion_requested";
export const SNAPSHOT_DELETED = "snapshot_deleted";

/** The event id of a reminder's deletion request: one request per reminder. */
export const deletionRequestId = (reminderKey: string) => `reminder.${reminderKey}.deletion_requested`;

export interface DeletionRequest {
  by: string;
  at: string;
}

export type DeletionDecision =
  /** Delete now; `requestedBy` is the first person when this click confirms a request. */
  | { kind: "delete"; requestedBy?: string }
  /** Record the request; a second person must confirm. */
  | { kind: "request" }
  | { kind: "refused"; message: string };

export function decideSnapshotDeletion(input: {
  run: Run | undefined;
  reminder: ScheduledReminder;
  by: string;
  /** The earlier request of this reminder's deletion, if someone made one. */
  request: DeletionRequest | undefined;
}): DeletionDecision {
  const { run, reminder, by, request } = input;
  const snapshot = reminder.action?.type === "rds.delete_snapshot" ? reminder.action.snapshot : undefined;
  if (snapshot === undefined)
    return { kind: "refused", message: "This reminder does not offer a snapshot deletion." };
  if (reminder.dryRun || run?.dryRun) {
    return {
      kind: "refused",
      message: `This reminder belongs to a rehearsal (dry run): nothing is deleted. ${snapshot} stays as it is.`,
    };
  }
  if (!run) {
    return {
      kind: "refused",
      message: `The run of this reminder is gone, so Preflight can't tell whether ${snapshot} needs a second person: delete it in the AWS console.`,
    };
  }
  if (!isProtected(run)) return { kind: "delete" };
  if (!request) return { kind: "request" };
  if (request.by === by) {
    return {
      kind: "refused",
      message: `You asked to delete ${snapshot}, so you can't confirm it: ${run.environment} is protected and a second person must confirm the deletion.`,
    };
  }
  return { kind: "delete", requestedBy: request.by };
}
