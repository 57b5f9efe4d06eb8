import { z } from "zod";
import { actionSchema } from "../checklist/schema.js";
import { runSchema, scheduledReminderSchema } from "./run-schema.js";

const activitySchema = runSchema.shape.history.element;
const stepId = z.string().min(1);

/**
 * What an accepted event asks the adapters to do. The engine never does I/O itself: it returns
 * these, and they are stored with the change (the run's outbox) and carried out after. The schema
 * checks them again when they are read back from storage: they are executed against Slack and AWS.
 */
export const effectSchema = z.discriminatedUnion("type", [
  /** The run's message, posted once when the run starts. */
  z.object({ type: z.literal("publish_run_message") }),
  z.object({ type: z.literal("refresh_run_message") }),
  z.object({ type: z.literal("post_activity"), activity: activitySchema }),
  z.object({
    type: z.literal("request_verification"),
    stepId,
    completedBy: z.string(),
    ask: z.array(z.string()),
  }),
  z.object({
    type: z.literal("request_approval"),
    stepId,
    requestedBy: z.string(),
    ask: z.array(z.string()),
  }),
  z.object({ type: z.literal("schedule_reminder"), reminder: scheduledReminderSchema }),
  z.object({ type: z.literal("cancel_reminders"), runId: z.string(), keepOnAbort: z.boolean() }),
  z.object({ type: z.literal("schedule_overrun_nudges"), stepId, at: z.array(z.iso.datetime()) }),
  z.object({ type: z.literal("cancel_overrun_nudges"), stepId }),
  /** `jobKey` names this start of the step: carrying the effect out twice starts one action. */
  z.object({
    type: z.literal("run_action"),
    stepId,
    action: actionSchema,
    dryRun: z.boolean(),
    jobKey: z.string().min(1),
  }),
  z.object({ type: z.literal("run_closed"), outcome: z.enum(["finished", "aborted"]) }),
  /** A comment on the run's work ticket when it starts and when it ends (src/tracker). */
  z.object({
    type: z.literal("tracker_comment"),
    ticket: z.string().min(1),
    phase: z.enum(["start", "end"]),
  }),
  /** The post-mortem as an issue in the checklist's tracker (created once, edited after). */
  z.object({ type: z.literal("tracker_post_mortem") }),
  /** One follow-up as its own issue, linked from the post-mortem issue (which is edited). */
  z.object({ type: z.literal("tracker_follow_up"), index: z.number().int().nonnegative() }),
]);
export type Effect = z.infer<typeof effectSchema>;

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
