import type { WebClient } from "@slack/web-api";
import type { Logger, MessageRef } from "../core/ports.js";
import { createLru } from "../store/lru.js";
import { describeSlackError } from "./slack-errors.js";

/** Links known per client (a message's link never changes), bounded. */
const known = new WeakMap<WebClient, ReturnType<typeof createLru<string, string>>>();
const REMEMBERED_LINKS = 2_000;

/**
 * A link to a message, or undefined (logged) when Slack won't give one: links are a nicety. A
 * message's link never changes, so each is asked once per process (reminders of a run share one).
 */
export async function permalinkOf(
  client: WebClient,
  log: Logger,
  channel: string,
  ts: string,
): Promise<string | undefined> {
  let links = known.get(client);
  if (!links) {
    links = createLru<string, string>(REMEMBERED_LINKS);
    known.set(client, links);
  }
  const remembered = links.get(`${channel}/${ts}`);
  if (remembered) return remembered;
  try {
    const link = (await client.chat.getPermalink({ channel, message_ts: ts })).permalink;
    if (link) links.set(`${channel}/${ts}`, link);
    return link;
  } catch (error) {
    log.warn("no permalink for a message", { channel, ts, error: describeSlackError(error) });
    return undefined;
  }
}

/** A run message's link: the one stored with its place when it was posted, else asked of Slack. */
export function linkOf(client: WebClient, log: Logger, ref: MessageRef): Promise<string | undefined> {
  return ref.link ? Promise.resolve(ref.link) : permalinkOf(client, log, ref.channel, ref.ts);
}
