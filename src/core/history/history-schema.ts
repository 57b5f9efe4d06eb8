import { z } from "zod";

/**
 * What the history keeps of one closed run (finished or aborted, never a dry run): per checklist
 * and environment, its outcome, total time, downtime and each step's duration, skip and problems.
 * Built by the engine when the run closes (history-entry.ts), stored outside the run documents
 * (store/redis-history.ts), validated by this schema when read back.
 */

const seconds = z.number().int().nonnegative();

export const historyStepSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** Start to Done, paused time excluded; absent when the step was not done or not timed. */
  seconds: seconds.optional(),
  skipped: z.boolean(),
  /** Problems reported on the step. */
  problems: z.number().int().nonnegative(),
  /** The checklist's `duration:` range when the run was made, in seconds. */
  expected: z.object({ min: seconds, max: seconds }).optional(),
});
export type HistoryStep = z.infer<typeof historyStepSchema>;

/** A follow-up that asked to change the checklist, with the step it was about when it names one. */
export const changeRequestSchema = z.object({
  at: z.iso.datetime(),
  by: z.string(),
  text: z.string(),
  stepId: z.string().optional(),
});
export type ChangeRequest = z.infer<typeof changeRequestSchema>;

export const historyEntrySchema = z.object({
  runId: z.string().min(1),
  /** The run's version the entry was made from: a later entry of the same run replaces an earlier one. */
  runVersion: z.number().int().nonnegative(),
  checklistId: z.string().min(1),
  /** The run's environment; `null` when its checklist names none. */
  env: z.string().nullable(),
  startedAt: z.iso.datetime(),
  closedAt: z.iso.datetime(),
  owner: z.string(),
  outcome: z.string(),
  totalSeconds: seconds,
  /** `null` when the checklist marks no downtime or it never began. */
  downtimeSeconds: seconds.nullable(),
  ticket: z.string().nullable(),
  steps: z.array(historyStepSchema),
  changeRequests: z.array(changeRequestSchema).default([]),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** A span of time in ms since the epoch, `to` excluded. */
export interface Interval {
  from: number;
  to: number;
}

/**
 * What earlier runs say about each step, carried on a run from its start (run.earlier) so the run
 * message can say "usually 12–18 min (5 earlier runs)" without reading the history on every click.
 */
export const earlierRunsSchema = z.object({
  /** Earlier runs of the checklist in the run's environment. */
  runs: z.number().int().nonnegative(),
  steps: z.record(
    z.string(),
    z.object({
      /** Earlier runs in which the step was timed (done after a Start). */
      runs: z.number().int().positive(),
      p10Seconds: seconds,
      medianSeconds: seconds,
      p90Seconds: seconds,
    }),
  ),
});
export type EarlierRuns = z.infer<typeof earlierRunsSchema>;
