import type { StoredMessage } from "./slack-double-types.js";
import { type Answer, fail, ok, str } from "./slack-limits.js";

/**
 * The local Slack's reading of channels: conversations.history, conversations.replies and
 * conversations.info. Kept apart from slack-api.ts, which stores the messages and serves them.
 */

type Args = Record<string, unknown>;

export interface ConversationSurfaces {
  handlers: Record<string, (args: Args) => Answer>;
}

export function createConversationSurfaces(ctx: {
  stored: Map<string, StoredMessage[]>;
  channelNames: Map<string, string>;
  findMessage: (channel: string, ts: string) => StoredMessage | undefined;
  messageJson: (message: StoredMessage) => Args;
}): ConversationSurfaces {
  const { stored, channelNames, findMessage, messageJson } = ctx;
  const withoutMetadata = (m: Args, keep: boolean) => {
    if (keep) return m;
    const { metadata: _, ...rest } = m;
    return rest;
  };
  return {
    handlers: {
      "conversations.history": (args) => {
        const channel = str(args.channel);
        if (!channel) return fail("channel_not_found");
        const oldest = Number(str(args.oldest) || "0");
        const withMeta = String(args.include_all_metadata) === "true";
        const top = (stored.get(channel) ?? [])
          .filter((m) => (!m.thread_ts || m.thread_ts === m.ts) && Number(m.ts) >= oldest)
          .reverse()
          .slice(0, Number(args.limit) || 100)
          .map((m) => withoutMetadata(messageJson(m), withMeta));
        return ok({ messages: top, has_more: false });
      },
      "conversations.replies": (args) => {
        const channel = str(args.channel);
        const ts = str(args.ts);
        const parent = findMessage(channel, ts);
        if (!parent) return fail("thread_not_found");
        const withMeta = String(args.include_all_metadata) === "true";
        const replies = (stored.get(channel) ?? [])
          .filter((m) => m.ts === ts || m.thread_ts === ts)
          .map((m) => withoutMetadata(messageJson(m), withMeta));
        return ok({ messages: replies, has_more: false });
      },
      "conversations.info": (args) => {
        const id = str(args.channel);
        if (!id) return fail("channel_not_found");
        const name = channelNames.get(id) ?? `channel-${id.toLowerCase()}`;
        return ok({ channel: { id, name, is_channel: true, is_member: true } });
      },
    },
  };
}
