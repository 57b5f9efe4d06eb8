import type { Action } from "../checklist/schema.js";
import type { Activity, ScheduledReminder } from "./run-schema.js";

/**
 * What an accepted event asks the adapters to do. The engine never does I/O itself:
 * it returns these and the run service carries them out after the new state is stored.
 */
export type Effect =
  /** The run's message, posted once when the run starts. */
  | { type: "publish_run_message" }
  | { type: "refresh_run_message" }
  | { type: "post_activity"; activity: Activity }
  | { type: "request_verification"; stepId: string; completedBy: string; ask: string[] }
  | { type: "request_approval"; stepId: string; requestedBy: string; ask: string[] }
  | { type: "schedule_reminder"; reminder: ScheduledReminder }
  | { type: "cancel_reminders"; runId: string; keepOnAbort: boolean }
  | { type: "schedule_overrun_nudges"; stepId: string; at: string[] }
  | { type: "cancel_overrun_nudges"; stepId: string }
  /** `jobKey` names this start of the step: carrying the effect out twice starts one action. */
  | { type: "run_action"; stepId: string; action: Action; dryRun: boolean; jobKey: string }
  | { type: "run_closed"; outcome: "finished" | "aborted" };

export type EffectType = Effect["type"];

export const REFUSAL_CODES = [
  "stale",
  "closed",
  "unknown_step",
  "unknown_problem",
  "out_of_order",
  "wrong_state",
  "self_verification",
  "self_approval",
  "automated",
  "not_verifier",
  "not_permitted",
  "not_skippable",
  "reason_required",
  "incomplete",
  "open_problem",
  "invalid_parameters",
  "not_posted",
  "unknown_reminder",
  "already_handled",
  "needs_second_person",
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** Why an event was not applied, in words the person who clicked can act on. */
export interface Refusal {
  code: RefusalCode;
  message: string;
}
