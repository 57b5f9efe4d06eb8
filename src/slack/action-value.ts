import { z } from "zod";
import { parseJsonWith } from "./json-input.js";

/**
 * What a button carries: the run, the step (or problem) and the run's progress the message showed.
 * Slack gives it back verbatim, but it is still outside input: validated on the way in.
 * Short keys keep it far below Slack's 2,000-character limit for `value`.
 */
export const actionValueSchema = z.strictObject({
  r: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  s: z.string().max(64).optional(),
  p: z.string().max(16).optional(),
  v: z.number().int().nonnegative(),
});
export type ActionValue = z.infer<typeof actionValueSchema>;

export function encodeActionValue(value: ActionValue): string {
  return JSON.stringify(value);
}

export function decodeActionValue(raw: unknown): ActionValue | undefined {
  return parseJsonWith(actionValueSchema, raw);
}
