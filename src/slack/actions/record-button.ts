import type { App } from "@slack/bolt";
import { findStep } from "../../core/run/step-rules.js";
import type { SlackDeps } from "../deps.js";
import { ACTION_IDS } from "../ids.js";
import { channelOf, FOREIGN_BUTTON, readButtonClick } from "../payloads.js";
import { replyPrivately } from "../reply.js";
import { describeSlackError } from "../slack-errors.js";
import { recordModal } from "../views/record-modal.js";

/** Done on a step that records values: the modal asking for them (record-submissions.ts completes it). */
export function register(app: App, deps: Pick<SlackDeps, "log" | "service">): void {
  app.action(ACTION_IDS.recordStep, async ({ ack, body, client }) => {
    await ack();
    const click = readButtonClick(body);
    const run = click ? await deps.service.get(click.value.r) : undefined;
    const step = run && click?.value.s ? findStep(run, click.value.s) : undefined;
    if (!click || !step) {
      await replyPrivately(
        client,
        deps.log,
        { channel: channelOf(body), user: body.user.id },
        FOREIGN_BUTTON,
      );
      return;
    }
    const metadata = { r: click.value.r, c: click.channel, v: click.value.v, s: step.plan.id };
    try {
      await client.views.open({ trigger_id: click.triggerId, view: recordModal(step.plan, metadata) });
    } catch (error) {
      deps.log.error("could not open a modal", { runId: click.value.r, error: describeSlackError(error) });
      await replyPrivately(
        client,
        deps.log,
        { channel: click.channel, user: click.user },
        "Slack did not open the form in time; click the button again.",
      );
    }
  });
}
