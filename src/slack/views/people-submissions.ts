import type { App } from "@slack/bolt";
import { actAndAck, arrivedAt } from "../apply-with-ack.js";
import type { SlackDeps } from "../deps.js";
import { viewSubmissionSchema } from "../payloads.js";
import { PEOPLE_CHOICES } from "../render/people-menu.js";
import { PEOPLE_INPUT, peopleEvent, readPeopleMetadata } from "./people-modal.js";

/** A submitted hand-over, buddy or reassign form becomes the same event as its command. */
export function register(app: App, deps: Pick<SlackDeps, "log" | "service" | "ackDeadlineMs">): void {
  for (const choice of Object.values(PEOPLE_CHOICES)) {
    app.view(choice.view, async ({ ack, body, client, context }) => {
      const parsed = viewSubmissionSchema.safeParse(body);
      const meta = parsed.success ? readPeopleMetadata(parsed.data.view.private_metadata) : undefined;
      if (!parsed.success || !meta) {
        await ack({
          response_action: "errors",
          errors: {
            [PEOPLE_INPUT.person.block]: "This form is out of date; close it and use the run's menu again.",
          },
        });
        return;
      }
      const read = peopleEvent(meta, parsed.data.view.state.values, parsed.data.user.id);
      if (!read.ok) {
        await ack({ response_action: "errors", errors: read.errors });
        return;
      }
      // A submission retried by Slack carries the same view id: it applies once.
      await actAndAck(
        { ...deps, client, ack: () => ack(), channel: meta.c, arrivedAt: arrivedAt(context) },
        meta.r,
        read.event,
        `view.${parsed.data.view.id}`,
      );
    });
  }
}
