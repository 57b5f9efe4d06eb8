import type { View } from "@slack/types";
import { TEXT_INPUT } from "../ids.js";
import type { ModalMetadata } from "../payloads.js";

export interface ReasonModalSpec {
  callbackId: string;
  /** ≤ 24 characters (Slack's limit for modal titles and buttons). */
  title: string;
  submit: string;
  label: string;
  placeholder: string;
  context?: string;
  maxLength?: number;
}

/** A modal with one required text box: skip reason, problem, note, resolution, abort reason. */
export function reasonModal(spec: ReasonModalSpec, metadata: ModalMetadata): View {
  return {
    type: "modal",
    callback_id: spec.callbackId,
    private_metadata: JSON.stringify(metadata),
    title: { type: "plain_text", text: spec.title.slice(0, 24) },
    submit: { type: "plain_text", text: spec.submit.slice(0, 24) },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      ...(spec.context
        ? [
            {
              type: "context" as const,
              elements: [{ type: "mrkdwn" as const, text: spec.context.slice(0, 2_000) }],
            },
          ]
        : []),
      {
        type: "input",
        block_id: TEXT_INPUT.block,
        label: { type: "plain_text", text: spec.label.slice(0, 2_000) },
        element: {
          type: "plain_text_input",
          action_id: TEXT_INPUT.action,
          multiline: true,
          max_length: spec.maxLength ?? 1_000,
          placeholder: { type: "plain_text", text: spec.placeholder.slice(0, 150) },
        },
      },
    ],
  };
}
