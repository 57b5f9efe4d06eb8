import type { WebClient } from "@slack/web-api";
import type { Logger } from "../core/ports.js";
import { describeSlackError } from "./slack-errors.js";

/** A link to a message, or undefined (logged) when Slack won't give one: links are a nicety. */
export async function permalinkOf(
  client: WebClient,
  log: Logger,
  channel: string,
  ts: string,
): Promise<string | undefined> {
  try {
    return (await client.chat.getPermalink({ channel, message_ts: ts })).permalink;
  } catch (error) {
    log.warn("no permalink for a message", { channel, ts, error: describeSlackError(error) });
    return undefined;
  }
}
