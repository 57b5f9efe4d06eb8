import { expect } from "vitest";
import { type Harness, SIGNING_SECRET } from "./bot-harness.js";
import { sendInteraction, viewSubmissionPayload } from "./slack-requests.js";

/** A one-step checklist with a work ticket (required in prod) and the post-mortem as an issue. */
export const trackedChecklist = (id: string, postMortem: string) => `
id: ${id}
title: Tracked change
summary: A change with a work ticket and a post-mortem issue
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
phases:
  - id: only
    title: Only
    steps:
      - id: change
        title: Make the change
rules:
  environment: env
ticket:
  required_in: [prod]
post_mortem:
${postMortem}
`;

/** Clicks a button of the run message (of `stepId`'s, when named) and submits the modal it opens with `text`. */
export async function submitViaModal(
  harness: Harness,
  user: string,
  button: { actionId: string; stepId?: string },
  callback: string,
  text: string,
): Promise<void> {
  const before = harness.slack.callsTo("views.open").length;
  await harness.click(harness.button(button.actionId, button.stepId), user);
  const opened = await harness.slack.waitFor(() =>
    harness.slack
      .callsTo("views.open")
      .slice(before)
      .find((call) => JSON.stringify(call.args.view).includes(callback)),
  );
  const view = opened.args.view as { callback_id: string; private_metadata: string };
  const answer = await sendInteraction(
    harness.url,
    SIGNING_SECRET,
    viewSubmissionPayload({
      userId: user,
      callbackId: view.callback_id,
      privateMetadata: view.private_metadata,
      values: { text_block: { text_input: { type: "plain_text_input", value: text } } },
    }),
  );
  expect(answer.status).toBe(200);
  await harness.settle();
}
