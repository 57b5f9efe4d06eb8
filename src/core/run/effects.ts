import { z } from "zod";
import { actionSchema } from "../checklist/schema.js";
import { historyEntrySchema } from "../history/history-schema.js";
import { runSchema, scheduledReminderSchema } from "./run-schema.js";

const activitySchema = runSchema.shape.history.element;
/** When stakeholders hear about a run: it started, it runs past its announced end, it ended. */
export const WINDOW_MOMENTS = ["start", "overrun", "end"] as const;
export type WindowMoment = (typeof WINDOW_MOMENTS)[number];
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
  z.object({ type: z.literal("run_closed"), outcome: z.enum(["finished", "aborted", "rolled_back"]) }),
  /**
   * A post for the checklist's stakeholders (communications.ts): plain text, escaped when posted.
   * A rehearsal's goes into its own thread, saying where it would have gone (`channel`).
   */
  z.object({
    type: z.literal("post_stakeholders"),
    moment: z.enum(WINDOW_MOMENTS),
    channel: z.string().optional(),
    text: z.string(),
    rehearsal: z.boolean(),
  }),
  /** From the planned end on, a timer looks whether stakeholders need a new estimate. */
  z.object({ type: z.literal("schedule_window_check"), at: z.iso.datetime() }),
  /** The checklist's status page: an HTTP POST of `body` (JSON text). Never made by a rehearsal. */
  z.object({
    type: z.literal("call_status_page"),
    moment: z.enum(WINDOW_MOMENTS),
    url: z.string(),
    body: z.string(),
    authHeaderEnv: z.string().optional(),
  }),
  /** A closed real run enters its checklist's history (again, with its follow-ups: the newer replaces it). */
  z.object({ type: z.literal("record_history"), entry: historyEntrySchema }),
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
  "not_yet",
  "paused",
  "rolling_back",
  "not_decider",
  /** A protected environment's run starts only with a buddy (people.ts). */
  "buddy_required",
  /** The step is assigned to someone else. */
  "not_assignee",
  /** A point of no return (or a mutating action in a protected environment) is started, approved, then done. */
  "needs_approval",
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** Why an event was not applied, in words the person who clicked can act on. */
export interface Refusal {
  code: RefusalCode;
  message: string;
}
