import type { WebClient } from "@slack/web-api";
import type { Logger } from "../core/ports.js";
import { mention } from "./render/mrkdwn.js";
import { describeSlackError } from "./slack-errors.js";

/** A scheduled window's message once its Start began the run (by the button or the buddy form). */
export async function markWindowStarted(
  client: WebClient,
  log: Logger,
  message: { channel: string; ts: string },
  user: string,
  runId: string,
): Promise<void> {
  const text = `▶️ ${mention(user)} started the window: run \`${runId}\`.`;
  try {
    await client.chat.update({
      ...message,
      text,
      blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
    });
  } catch (error) {
    log.error("could not mark a window started", { error: describeSlackError(error) });
  }
}
