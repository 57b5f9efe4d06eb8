import type { App } from "@slack/bolt";
import { findStep } from "../../core/run/step-rules.js";
import type { SlackDeps } from "../deps.js";
import { channelOf, FOREIGN_BUTTON, readButtonClick } from "../payloads.js";
import { escapeMrkdwn } from "../render/mrkdwn.js";
import { replyPrivately } from "../reply.js";
import { describeSlackError } from "../slack-errors.js";
import { reasonModal } from "../views/reason-modal.js";
import { REASON_FLOWS } from "../views/reason-modals.js";

/** Skip, Report problem, Add note, Resolve, Abort: each opens a modal asking for words first. */
export function register(app: App, deps: Pick<SlackDeps, "log" | "service">): void {
  for (const flow of REASON_FLOWS) {
    app.action(flow.actionId, async ({ ack, body, client }) => {
      await ack();
      const click = readButtonClick(body);
      if (!click) {
        await replyPrivately(
          client,
          deps.log,
          { channel: channelOf(body), user: body.user.id },
          FOREIGN_BUTTON,
        );
        return;
      }
      const run = await deps.service.get(click.value.r);
      const step = run && click.value.s ? findStep(run, click.value.s) : undefined;
      const problem = run && click.value.p ? run.problems.find((p) => p.id === click.value.p) : undefined;
      const context = step
        ? `*${escapeMrkdwn(step.plan.title)}*`
        : problem
          ? `Problem: ${escapeMrkdwn(problem.text)}`
          : run
            ? `*${escapeMrkdwn(run.plan.title)}*`
            : undefined;
      const metadata = {
        r: click.value.r,
        c: click.channel,
        v: click.value.v,
        ...(click.value.s ? { s: click.value.s } : {}),
        ...(click.value.p ? { p: click.value.p } : {}),
      };
      try {
        await client.views.open({
          trigger_id: click.triggerId,
          view: reasonModal({ ...flow.modal, ...(context ? { context } : {}) }, metadata),
        });
      } catch (error) {
        deps.log.error("could not open a modal", {
          runId: click.value.r,
          action: flow.actionId,
          error: describeSlackError(error),
        });
        await replyPrivately(
          client,
          deps.log,
          { channel: click.channel, user: click.user },
          "Slack did not open the form in time; click the button again.",
        );
      }
    });
  }
}
