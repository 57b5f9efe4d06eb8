import type { WebClient } from "@slack/web-api";
import type { Logger } from "../core/ports.js";
import { withGroupHandles } from "./group-names.js";
import { neutralizeMrkdwn } from "./render/mrkdwn.js";
import { describeSlackError } from "./slack-errors.js";

/**
 * Private replies often quote what the person typed inside a refusal the engine worded (`x=<…> is
 * not allowed`, `There is no run "…"`): they are neutralized here, once, for every caller. Escaped
 * text and Preflight's own mentions pass unchanged.
 */
export function privateText(text: string): string {
  return neutralizeMrkdwn(text);
}

/** Tells one person something only they see. A failure is logged; it never throws into a listener. */
export async function replyPrivately(
  client: WebClient,
  log: Logger,
  target: { channel: string; user: string },
  message: string,
  respond?: (message: { response_type: "ephemeral"; text: string }) => Promise<unknown>,
): Promise<void> {
  // A group named in a refusal reads as its @handle, never a mention of the whole group.
  const text = privateText(await withGroupHandles(client, message));
  try {
    await client.chat.postEphemeral({ channel: target.channel, user: target.user, text });
  } catch (error) {
    // Not in the channel yet: the command's response_url still reaches the person.
    if (respond) {
      try {
        await respond({ response_type: "ephemeral", text });
        return;
      } catch (fallbackError) {
        log.error("private reply failed", { ...target, error: describeSlackError(fallbackError) });
        return;
      }
    }
    log.error("private reply failed", { ...target, error: describeSlackError(error) });
  }
}
