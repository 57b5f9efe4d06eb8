import type { App } from "@slack/bolt";
import { z } from "zod";
import { mayChangePeople } from "../../core/run/people-events.js";
import type { SlackDeps } from "../deps.js";
import { ACTION_IDS } from "../ids.js";
import type { ButtonContext } from "../middleware/button-context.js";
import { readPeopleOption } from "../render/people-menu.js";
import { replyPrivately } from "../reply.js";
import { describeSlackError } from "../slack-errors.js";
import { peopleModal } from "../views/people-modal.js";

/**
 * An option of the run message's overflow menu: opens the form asking who. The click was checked
 * against its run's message by the button middleware. Who may hand over is the engine's to say:
 * asked first without the form's answers (`mayChangePeople`), so someone who may not is told why
 * and who may, privately, instead of filling in a form for nothing; and again when the form is
 * submitted (views/people-submissions.ts).
 */

const menuClickSchema = z.object({
  trigger_id: z.string().min(1),
  actions: z.array(z.object({ selected_option: z.object({ value: z.string() }) })).min(1),
});

export function register(app: App, deps: Pick<SlackDeps, "log" | "service">): void {
  app.action(ACTION_IDS.peopleMenu, async ({ ack, body, client, context }) => {
    await ack();
    const button = context.button as ButtonContext | undefined;
    const click = menuClickSchema.safeParse(body);
    const option = click.success ? readPeopleOption(click.data.actions[0]?.selected_option.value) : undefined;
    const run = option ? await deps.service.get(option.r) : undefined;
    if (!button || !click.success || !option || !run) return;
    const target = { channel: button.channel, user: button.user };
    const permission = mayChangePeople(run, option.o, button.user);
    if (!permission.allowed) {
      await replyPrivately(client, deps.log, target, permission.refusal.message);
      return;
    }
    try {
      await client.views.open({
        trigger_id: click.data.trigger_id,
        view: peopleModal(run, { ...option, c: button.channel }),
      });
    } catch (error) {
      deps.log.error("could not open a modal", { runId: run.id, error: describeSlackError(error) });
      await replyPrivately(
        client,
        deps.log,
        target,
        "Slack did not open the form in time; choose from the menu again.",
      );
    }
  });
}
