import type { App } from "@slack/bolt";
import type { RunEvent } from "../../core/run/run-schema.js";
import { actAndAck, arrivedAt } from "../apply-with-ack.js";
import type { SlackDeps } from "../deps.js";
import { ACTION_IDS } from "../ids.js";
import { type ButtonClick, channelOf, clickEventId, FOREIGN_BUTTON, readButtonClick } from "../payloads.js";
import { replyPrivately } from "../reply.js";

/** Buttons that act at once: Start, Done, Verify, Finish run, Approve override. */
const toEvent: Record<string, (click: ButtonClick) => RunEvent | undefined> = {
  [ACTION_IDS.startStep]: ({ user, value }) =>
    value.s ? { type: "start_step", stepId: value.s, by: user, expectedProgress: value.v } : undefined,
  [ACTION_IDS.completeStep]: ({ user, value }) =>
    value.s ? { type: "complete_step", stepId: value.s, by: user, expectedProgress: value.v } : undefined,
  [ACTION_IDS.verifyStep]: ({ user, value }) =>
    value.s ? { type: "verify_step", stepId: value.s, by: user, expectedProgress: value.v } : undefined,
  [ACTION_IDS.approveStep]: ({ user, value }) =>
    value.s ? { type: "approve_step", stepId: value.s, by: user, expectedProgress: value.v } : undefined,
  [ACTION_IDS.finishRun]: ({ user, value }) => ({ type: "finish", by: user, expectedProgress: value.v }),
  [ACTION_IDS.approveOverride]: ({ user, value }) => ({
    type: "approve_override",
    by: user,
    expectedProgress: value.v,
  }),
};

export function register(app: App, deps: Pick<SlackDeps, "log" | "service" | "ackDeadlineMs">): void {
  for (const [actionId, makeEvent] of Object.entries(toEvent)) {
    app.action(actionId, async ({ ack, body, client, context }) => {
      const click = readButtonClick(body);
      const event = click ? makeEvent(click) : undefined;
      if (!click || !event) {
        await ack();
        await replyPrivately(
          client,
          deps.log,
          { channel: channelOf(body), user: body.user.id },
          FOREIGN_BUTTON,
        );
        return;
      }
      await actAndAck(
        { ...deps, client, ack: () => ack(), channel: click.channel, arrivedAt: arrivedAt(context) },
        click.value.r,
        event,
        clickEventId(click),
      );
    });
  }
}
