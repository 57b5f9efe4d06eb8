import type { App } from "@slack/bolt";
import { actAndAck, arrivedAt } from "../apply-with-ack.js";
import type { SlackDeps } from "../deps.js";
import { TEXT_INPUT } from "../ids.js";
import { inputText, readMetadata, viewSubmissionSchema } from "../payloads.js";
import { REASON_FLOWS } from "./reason-modals.js";

/** A submitted reason modal becomes a run event; an empty box is refused inside the modal. */
export function register(app: App, deps: Pick<SlackDeps, "log" | "service" | "ackDeadlineMs">): void {
  for (const flow of REASON_FLOWS) {
    app.view(flow.modal.callbackId, async ({ ack, body, client, context }) => {
      const parsed = viewSubmissionSchema.safeParse(body);
      const meta = parsed.success ? readMetadata(parsed.data.view.private_metadata) : undefined;
      if (!parsed.success || !meta) {
        await ack({
          response_action: "errors",
          errors: {
            [TEXT_INPUT.block]: "This form is out of date; close it and click the button on the run again.",
          },
        });
        return;
      }
      const text = inputText(parsed.data.view.state.values, TEXT_INPUT.block, TEXT_INPUT.action);
      const event = text ? flow.toEvent(meta, text, parsed.data.user.id) : undefined;
      if (!event) {
        await ack({ response_action: "errors", errors: { [TEXT_INPUT.block]: flow.emptyError } });
        return;
      }
      // A modal submission retried by Slack carries the same view id: it applies once.
      const eventId = `view.${parsed.data.view.id}`;
      await actAndAck(
        { ...deps, client, ack: () => ack(), channel: meta.c, arrivedAt: arrivedAt(context) },
        meta.r,
        event,
        eventId,
      );
    });
  }
}
