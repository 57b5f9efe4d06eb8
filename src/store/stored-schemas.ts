import { z } from "zod";
import { effectSchema } from "../core/run/effects.js";

/** What the run store reads back from Redis, validated on the way in. */

export const effectRecordSchema = z.object({
  status: z.enum(["tried", "done"]),
  at: z.string(),
  ts: z.string().optional(),
  channel: z.string().optional(),
});
export const logEntrySchema = z.object({
  at: z.string(),
  by: z.string(),
  type: z.string(),
  eventId: z.string(),
  accepted: z.boolean(),
  refusal: z.object({ code: z.string(), message: z.string() }).optional(),
  version: z.number().int(),
});
export const outboxEntrySchema = z.object({
  id: z.string(),
  runId: z.string(),
  seq: z.number().int().nonnegative(),
  at: z.string(),
  // Checked whole before anything is carried out: an entry may run an AWS action.
  effects: z.array(z.object({ id: z.string(), effect: effectSchema })),
});
