import type { WebClient } from "@slack/web-api";
import type { MaintenanceWindow } from "../core/window.js";
import type { SlackDeps } from "./deps.js";
import { replyPrivately } from "./reply.js";
import { describeSlackError } from "./slack-errors.js";
import { startParametersModal } from "./views/start-parameters.js";

/**
 * The environment requires a buddy and the window names none: the same form as
 * `/maintenance start` opens, asking for one; its submission starts the window.
 */
export async function openWindowBuddyForm(
  deps: Pick<SlackDeps, "catalog" | "log">,
  client: WebClient,
  click: { triggerId: string; user: string; messageTs: string },
  window: MaintenanceWindow,
  refusal: string,
): Promise<void> {
  const entry = deps.catalog.get(window.checklistId);
  const view = entry
    ? startParametersModal(
        entry.checklist,
        [],
        {
          k: window.checklistId,
          c: window.channel,
          g: window.params,
          d: window.dryRun,
          h: entry.hash,
          w: window.id,
          m: click.messageTs,
        },
        { askBuddy: true },
      )
    : undefined;
  try {
    if (!view) throw new Error("the start form could not be drawn");
    await client.views.open({ trigger_id: click.triggerId, view });
  } catch (error) {
    deps.log.error("could not open the window's buddy form", { error: describeSlackError(error) });
    await replyPrivately(client, deps.log, { channel: window.channel, user: click.user }, refusal);
  }
}
