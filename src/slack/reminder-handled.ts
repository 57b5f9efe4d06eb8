import type { WebClient } from "@slack/web-api";
import type { Logger } from "../core/ports.js";
import type { Run } from "../core/run/run-schema.js";
import { reminderOf } from "../core/run/run-schema.js";
import { handledReminderLine, handledReminderMessage, reminderMessage } from "./render/timer-messages.js";
import { describeSlackError } from "./slack-errors.js";

/**
 * A reminder's message once Done or Snooze was decided, redrawn from the run: what was done, by
 * whom, no buttons. A click on the message and one on the Home tab both end here, so the message
 * in the channel says the same whichever was used. `at`: the message clicked; else where the
 * reminder was posted (nothing to redraw when it was not posted yet, or was handled otherwise).
 */
export async function showReminderHandled(
  client: WebClient,
  log: Logger,
  run: Run,
  key: string,
  at?: { channel: string; ts: string },
): Promise<void> {
  const reminder = reminderOf(run, key);
  const where = at ?? reminder?.posted;
  const handled = reminder?.handled;
  if (!reminder || !where || !handled || handled.outcome === "action") return;
  // The text it was posted with, as the run keeps it (the link to the run is not part of it).
  const posted = reminderMessage({ ...reminder, runId: run.id }, undefined);
  const updated = handledReminderMessage(posted.text, handledReminderLine(handled));
  try {
    await client.chat.update({
      channel: where.channel,
      ts: where.ts,
      text: updated.text,
      blocks: updated.blocks,
    });
  } catch (error) {
    log.error("could not update a reminder message", { runId: run.id, error: describeSlackError(error) });
  }
}
