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

/** Per Web API client (one per workspace and bot), never shared between them. */
const caches = new WeakMap<WebClient, { at: number; handles: Map<string, string> }>();

async function handles(client: WebClient, wanted: readonly string[]): Promise<Map<string, string>> {
  const cache = caches.get(client);
  const fresh = cache && Date.now() - cache.at < TTL_MS;
  // A group made since the list was read is asked for again (at most every few seconds).
  const complete = cache && wanted.every((id) => cache.handles.has(id));
  if (cache && fresh && (complete || Date.now() - cache.at < 5_000)) return cache.handles;
  try {
    const { usergroups } = listSchema.parse(await client.usergroups.list({}));
    const next = { at: Date.now(), handles: new Map(usergroups.map((group) => [group.id, group.handle])) };
    caches.set(client, next);
    return next.handles;
  } catch {
    // Not readable (usergroups:read missing, Slack down): the id stands in; nothing is lost.
    return new Map();
  }
}

/** `text` with each group mention replaced by `@handle` (or the group's id), never a mention. */
export async function withGroupHandles(client: WebClient, text: string): Promise<string> {
  const found = [...text.matchAll(GROUP)];
  if (found.length === 0) return text;
  const unnamed = found.filter((match) => !match[2]).map((match) => match[1] as string);
  const known = unnamed.length > 0 ? await handles(client, unnamed) : new Map<string, string>();
  return text.replace(GROUP, (_all, id: string, label?: string) => {
    const handle = label || known.get(id);
    return handle ? `@${handle}` : id;
  });
}
