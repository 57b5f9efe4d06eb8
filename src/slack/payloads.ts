import { z } from "zod";
import { type ActionValue, decodeActionValue } from "./action-value.js";
import { parseJsonWith } from "./json-input.js";

/** The parts of Slack's interaction payloads Preflight reads, validated before use. */

export const buttonClickSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }),
  trigger_id: z.string().min(1),
  actions: z.array(z.object({ action_id: z.string(), value: z.string(), action_ts: z.string() })).min(1),
});

export interface ButtonClick {
  user: string;
  channel: string;
  triggerId: string;
  actionId: string;
  value: ActionValue;
}

export const FOREIGN_BUTTON =
  "That button doesn't carry a run Preflight can read (it may come from an old version). Use the buttons on the current run message.";

export function readButtonClick(body: unknown): ButtonClick | undefined {
  const parsed = buttonClickSchema.safeParse(body);
  if (!parsed.success) return undefined;
  const action = parsed.data.actions[0];
  const value = decodeActionValue(action?.value);
  if (!action || !value) return undefined;
  return {
    user: parsed.data.user.id,
    channel: parsed.data.channel.id,
    triggerId: parsed.data.trigger_id,
    actionId: action.action_id,
    value,
  };
}

/** A click on the same button of the same message version by the same person is one intent. */
export function clickEventId(click: ButtonClick): string {
  const { r, s, p, v } = click.value;
  return `click.${click.actionId}.${r}.${s ?? p ?? "run"}.v${v}.${click.user}`;
}

/** What a reason-style modal carries between opening and submission. */
export const modalMetadataSchema = z.strictObject({
  r: z.string().min(1),
  s: z.string().optional(),
  p: z.string().optional(),
  c: z.string().min(1),
  /** The run's progress the button was drawn with: the submission is refused like a stale click. */
  v: z.number().int().nonnegative(),
});
export type ModalMetadata = z.infer<typeof modalMetadataSchema>;

export const viewSubmissionSchema = z.object({
  user: z.object({ id: z.string().min(1) }),
  view: z.object({
    id: z.string().min(1),
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.unknown())) }),
  }),
});
export type ViewSubmission = z.infer<typeof viewSubmissionSchema>;

export function readMetadata(raw: string): ModalMetadata | undefined {
  return parseJsonWith(modalMetadataSchema, raw);
}

/** The channel of an interaction payload we could not otherwise read (to reply in it). */
export function channelOf(body: unknown): string {
  return (body as { channel?: { id?: string } }).channel?.id ?? "";
}

/** The text typed into an input (`plain_text_input` value), trimmed. */
export function inputText(
  values: ViewSubmission["view"]["state"]["values"],
  block: string,
  action: string,
): string {
  const input = values[block]?.[action] as { value?: unknown } | undefined;
  return typeof input?.value === "string" ? input.value.trim() : "";
}
