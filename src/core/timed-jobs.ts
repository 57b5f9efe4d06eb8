import { z } from "zod";
import { actionSchema } from "./checklist/schema.js";
import type { ScheduledReminder } from "./run/run-schema.js";
import type { WindowJob } from "./window.js";

/**
 * The timed work of runs and windows, as the scheduler (BullMQ) and the Slack layer both know it:
 * the scheduler fires jobs, the Slack layer says what they look like. Neither imports the other.
 */

export const nudgeSchema = z.object({
  runId: z.string(),
  stepId: z.string(),
  /** 1 at the step's expected maximum, 2 at twice it. */
  level: z.number().int().min(1),
  dueAt: z.iso.datetime(),
});
export type OverrunNudge = z.infer<typeof nudgeSchema>;

/** A look at a run's projected end against its announced one (communications.ts), every 15 minutes. */
export const windowCheckSchema = z.object({ runId: z.string(), dueAt: z.iso.datetime() });
export type WindowCheck = z.infer<typeof windowCheckSchema>;

/** What happens when a job comes due; the Slack layer implements it. Throwing makes BullMQ retry. */
export interface TimedJobHandler {
  reminderDue(reminder: ScheduledReminder): Promise<void>;
  nudgeDue(nudge: OverrunNudge): Promise<void>;
  windowDue(job: WindowJob): Promise<void>;
  /** Stakeholders hear of an overrun even when nothing happens on the run (optional: older handlers lack it). */
  windowCheckDue?(check: WindowCheck): Promise<void>;
  /** Every retry failed: record it on the run; never dropped silently. */
  jobFailed(kind: JobKind, data: unknown, error: string): Promise<void>;
}

export type JobKind = "reminder" | "nudge" | "window" | "window_check";

/** A job still waiting, as `/maintenance reminders` lists it. */
export interface PendingJob {
  jobId: string;
  kind: JobKind;
  dueAt: string;
  text: string;
}

/** An automated step's AWS call as a durable job: run once per start of the step. */
export const actionJobSchema = z.object({
  jobId: z.string(),
  runId: z.string(),
  stepId: z.string(),
  action: actionSchema,
  dryRun: z.boolean(),
});
export type ActionJob = z.infer<typeof actionJobSchema>;
