import { z } from "zod";
import { DECISION_OPTIONS } from "../checklist/schema.js";
import { checkReportSchema } from "../checks/check-report.js";
import { isoTime, userId } from "./run-fields.js";

/** What can happen to a run: every event the engine (apply-event.ts) takes, validated at the edge. */

const eventBase = {
  /** Who acts. */
  by: userId,
  /** The run's progress the person was looking at; a click on an outdated message is refused. */
  expectedProgress: z.number().int().nonnegative().optional(),
  /**
   * The user groups named by the run that the person is a member of, looked up by the service
   * (usergroups.users.list) just before the event is applied: the engine decides on them.
   */
  groups: z.array(z.string()).optional(),
};
const stepId = z.string().min(1);
const reminderKey = z.string().min(1).max(300);
const reason = z.string().trim();

export const runEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("start_step"), stepId, ...eventBase }),
  z.object({
    type: z.literal("complete_step"),
    stepId,
    /** Values the step's `record:` asks for, as typed in the completion modal. */
    values: z.record(z.string(), z.string()).optional(),
    ...eventBase,
  }),
  z.object({ type: z.literal("skip_step"), stepId, reason, ...eventBase }),
  z.object({ type: z.literal("verify_step"), stepId, ...eventBase }),
  z.object({ type: z.literal("report_problem"), stepId: stepId.optional(), text: reason, ...eventBase }),
  z.object({ type: z.literal("resolve_problem"), problemId: z.string(), resolution: reason, ...eventBase }),
  z.object({
    type: z.literal("add_note"),
    stepId: stepId.optional(),
    text: reason,
    source: z.enum(["button", "thread"]),
    /** Files shared with a thread reply, or the reply's permalink: evidence for the running step. */
    files: z
      .array(z.object({ name: z.string().max(255), permalink: z.string().max(3_000).optional() }))
      .max(20)
      .optional(),
    permalink: z.string().max(3_000).optional(),
    /** The note is evidence: it goes to the step that was running. */
    evidence: z.boolean().optional(),
    ...eventBase,
  }),
  /** `toIsPerson`: whether `to` is a person, not a bot or a deactivated account, as Slack said just before. */
  z.object({ type: z.literal("hand_over"), to: userId, toIsPerson: z.boolean().optional(), ...eventBase }),
  // The run's buddy named or changed during the run (people-events.ts).
  z.object({ type: z.literal("set_buddy"), to: userId, toIsPerson: z.boolean().optional(), ...eventBase }),
  // A step given to someone else during the run (a person or a user group).
  z.object({ type: z.literal("reassign_step"), stepId, to: userId, ...eventBase }),
  z.object({ type: z.literal("abort"), reason, ...eventBase }),
  z.object({ type: z.literal("finish"), ...eventBase }),
  z.object({ type: z.literal("approve_step"), stepId, ...eventBase }),
  z.object({ type: z.literal("approve_override"), ...eventBase }),
  // When things go wrong or run long (recovery-events.ts).
  z.object({
    type: z.literal("decide"),
    stepId,
    option: z.enum(DECISION_OPTIONS),
    reason,
    ...eventBase,
  }),
  z.object({ type: z.literal("pause_run"), reason, ...eventBase }),
  z.object({ type: z.literal("resume_run"), reason, ...eventBase }),
  z.object({ type: z.literal("roll_back"), reason, ...eventBase }),
  z.object({ type: z.literal("done_by_hand"), stepId, text: reason, ...eventBase }),
  // Reported by the action executor (by: PREFLIGHT_USER), never by a button.
  z.object({ type: z.literal("action_progress"), stepId, status: z.string(), ...eventBase }),
  z.object({
    type: z.literal("action_succeeded"),
    stepId,
    results: z.record(z.string(), z.string()),
    check: checkReportSchema.optional(),
    ...eventBase,
  }),
  z.object({
    type: z.literal("action_failed"),
    stepId,
    error: z.string(),
    /** A failed check still reports what it saw (the numbers it compared). */
    results: z.record(z.string(), z.string()).optional(),
    check: checkReportSchema.optional(),
    ...eventBase,
  }),
  // Reported by the effect runner when the run message can't be posted at all (by: PREFLIGHT_USER).
  z.object({ type: z.literal("run_message_failed"), error: z.string(), ...eventBase }),
  // Records: what happened around the run (record-events.ts). Closed runs still accept them.
  z.object({
    type: z.literal("reminder_posted"),
    key: reminderKey,
    channel: z.string(),
    ts: z.string(),
    ...eventBase,
  }),
  z.object({
    type: z.literal("reminder_handled"),
    key: reminderKey,
    outcome: z.enum(["done", "snoozed", "action"]),
    /** With `snoozed`: when it comes back. */
    until: isoTime.optional(),
    ...eventBase,
  }),
  z.object({
    type: z.literal("snapshot_deleted"),
    key: reminderKey,
    snapshot: z.string().min(1),
    region: z.string().min(1),
    ...eventBase,
  }),
  z.object({ type: z.literal("deletion_requested"), key: reminderKey, ...eventBase }),
  z.object({ type: z.literal("follow_up_added"), text: reason, ...eventBase }),
  z.object({ type: z.literal("post_failed"), what: z.string(), error: z.string(), ...eventBase }),
  // A timer found the run past its announced end: stakeholders get the new estimate (by: PREFLIGHT_USER).
  z.object({ type: z.literal("announce_overrun"), ...eventBase }),
  // Reported by the tracker adapter (tracker-events.ts, by: PREFLIGHT_USER).
  z.object({
    type: z.literal("tracker_linked"),
    role: z.enum(["ticket", "post_mortem", "follow_up"]),
    index: z.number().int().nonnegative().optional(),
    ref: z.string().min(1),
    url: z.string().min(1),
    ...eventBase,
  }),
  z.object({
    type: z.literal("tracker_refused"),
    tracker: z.enum(["github", "jira"]),
    message: z.string().min(1),
    ...eventBase,
  }),
  z.object({ type: z.literal("tracker_accepted"), tracker: z.enum(["github", "jira"]), ...eventBase }),
]);

export type RunEvent = z.infer<typeof runEventSchema>;
export type RunEventType = RunEvent["type"];
