import type { WebClient } from "@slack/web-api";
import { z } from "zod";

/**
 * A user group in a private reply reads as its `@handle`, as text: `<!subteam^S…>` would notify
 * the whole group for a refusal only one person sees, and Slack shows it as a raw id in
 * ephemeral messages. Handles come from `usergroups.list`, kept a few minutes; when Slack can't
 * say, the group's id is shown.
 */

const GROUP = /<!subteam\^(S[A-Z0-9]{2,20})(?:\|@?([^>]*))?>/g;
const TTL_MS = 5 * 60_000;
const listSchema = z.object({
  usergroups: z.array(z.object({ id: z.string(), handle: z.string() })).default([]),
});

let cache: { at: number; handles: Map<string, string> } | undefined;

async function handles(client: WebClient): Promise<Map<string, string>> {
  if (cache && Date.now() - cache.at < TTL_MS) return cache.handles;
  try {
    const { usergroups } = listSchema.parse(await client.usergroups.list({}));
    cache = { at: Date.now(), handles: new Map(usergroups.map((group) => [group.id, group.handle])) };
    return cache.handles;
  } catch {
    // Not readable (usergroups:read missing, Slack down): the id stands in; nothing is lost.
    return new Map();
  }
}

/** `text` with each group mention replaced by `@handle` (or the group's id), never a mention. */
export async function withGroupHandles(client: WebClient, text: string): Promise<string> {
  const found = [...text.matchAll(GROUP)];
  if (found.length === 0) return text;
  const known = found.some((match) => !match[2]) ? await handles(client) : new Map<string, string>();
  return text.replace(GROUP, (_all, id: string, label?: string) => {
    const handle = label || known.get(id);
    return handle ? `@${handle}` : id;
  });
}
