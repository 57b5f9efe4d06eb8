import type { KnownBlock, View } from "@slack/types";
import type { Step } from "../../core/checklist/schema.js";
import { VIEW_IDS } from "../ids.js";
import type { ModalMetadata } from "../payloads.js";
import { escapeMrkdwn } from "../render/mrkdwn.js";

/** The modal a step with `record:` opens on Done: one input per value it asks for. */

export const RECORD_ACTION = "value";
export const recordBlockId = (name: string) => `record_${name}`;

const HINT = { integer: "a whole number", number: "a number", string: "text" } as const;

export function recordModal(plan: Step, metadata: ModalMetadata): View {
  const inputs: KnownBlock[] = Object.entries(plan.record ?? {}).map(([name, field]) => ({
    type: "input",
    block_id: recordBlockId(name),
    optional: field.optional,
    label: { type: "plain_text", text: (field.label ?? name).slice(0, 2_000) },
    hint: {
      type: "plain_text",
      text: `${HINT[field.type]}, kept as {{steps.${plan.id}.${name}}}`.slice(0, 2_000),
    },
    element: {
      type: "plain_text_input",
      action_id: RECORD_ACTION,
      max_length: 500,
    },
  }));
  return {
    type: "modal",
    callback_id: VIEW_IDS.recordValues,
    private_metadata: JSON.stringify(metadata),
    title: { type: "plain_text", text: "Record and complete" },
    submit: { type: "plain_text", text: "Done" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `*${escapeMrkdwn(plan.title).slice(0, 1_900)}*` }],
      },
      ...inputs,
    ],
  };
}
