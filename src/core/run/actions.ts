import type { RunEvent } from "./run-schema.js";

/** The actions `can` (permissions.ts) decides, and the one each event asks for. */

export type RunAction =
  | { type: "start_step" | "complete_step" | "skip_step" | "verify_step" | "approve_step"; stepId: string }
  | { type: "report_problem" | "add_note"; stepId?: string }
  | { type: "resolve_problem"; problemId: string }
  | { type: "hand_over" | "abort" | "finish" | "add_follow_up" }
  /** Naming the run's buddy, giving a step to someone else: the run's leaders decide. */
  | { type: "set_buddy" }
  /** Without a step: may this person reassign steps at all (asked before the form names one). */
  | { type: "reassign_step"; stepId?: string }
  | { type: "handle_reminder" | "delete_snapshot"; key: string }
  /** In a protected environment: the first of the two people a snapshot deletion needs. */
  | { type: "request_deletion"; key: string }
  /** The snapshot a reminder's Delete was chosen for is gone: said by whoever chose it. */
  | { type: "record_deletion"; key: string }
  /** What Preflight itself reports: results of automated actions, posts made or failed. */
  | { type: "report_action" | "record_post" }
  /** A second person lets a run started past the environment gate begin (override.ts decides who). */
  | { type: "approve_override" }
  /** When things go wrong or run long (recovery-rules.ts decides). */
  | { type: "decide" | "done_by_hand"; stepId: string }
  | { type: "pause_run" | "resume_run" | "roll_back" };

/** The action an event asks for, as `can` knows it. */
export function actionOf(event: RunEvent): RunAction {
  switch (event.type) {
    case "start_step":
    case "complete_step":
    case "skip_step":
    case "verify_step":
    case "approve_step":
      return { type: event.type, stepId: event.stepId };
    case "report_problem":
    case "add_note":
      return { type: event.type, ...(event.stepId !== undefined ? { stepId: event.stepId } : {}) };
    case "resolve_problem":
      return { type: "resolve_problem", problemId: event.problemId };
    case "hand_over":
    case "abort":
    case "finish":
      return { type: event.type };
    case "set_buddy":
      return { type: "set_buddy" };
    case "reassign_step":
      return { type: "reassign_step", stepId: event.stepId };
    case "follow_up_added":
      return { type: "add_follow_up" };
    case "reminder_handled":
      return { type: event.outcome === "action" ? "delete_snapshot" : "handle_reminder", key: event.key };
    case "action_progress":
    case "action_succeeded":
    case "action_failed":
      return { type: "report_action" };
    case "snapshot_deleted":
      return { type: "record_deletion", key: event.key };
    case "deletion_requested":
      return { type: "request_deletion", key: event.key };
    case "reminder_posted":
    case "post_failed":
    case "run_message_failed":
    case "announce_overrun":
    case "tracker_linked":
    case "tracker_refused":
    case "tracker_accepted":
      return { type: "record_post" };
    case "approve_override":
      return { type: "approve_override" };
    case "decide":
    case "done_by_hand":
      return { type: event.type, stepId: event.stepId };
    case "pause_run":
    case "resume_run":
    case "roll_back":
      return { type: event.type };
  }
}
