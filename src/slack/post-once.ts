import type { WebClient } from "@slack/web-api";
import { PreflightError } from "../core/errors.js";
import type { EffectLedger, EffectRecord } from "../core/ports.js";
import { classifySlackError } from "./slack-errors.js";

/**
 * A Slack post made at most once per effect, even when an answer is lost: every post carries
 * message metadata naming the effects it carries out; before posting again something that was
 * tried, the channel (or thread) is read back with `include_all_metadata` and what landed is
 * recorded instead of posted twice.
 */

export const EFFECT_EVENT_TYPE = "preflight_effect";

export interface TaggedPost {
  channel: string;
  threadTs?: string;
  text: string;
  blocks?: unknown[];
  /** The effects this one message carries out. */
  effectIds: readonly string[];
  /**
   * The text for some of them only: a message carrying several (thread lines gathered in one)
   * whose first try partly landed posts the rest, and only their words.
   */
  textOf?: (effectIds: readonly string[]) => string;
}

interface HistoryMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: { effects?: unknown } };
  files?: { name?: string }[];
}

/** Effect ids already in the channel or thread, with the ts of the message that carries each. */
export async function findTagged(
  client: WebClient,
  where: { channel: string; threadTs?: string; since?: string },
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const message of await readBack(client, where)) {
    if (message.metadata?.event_type !== EFFECT_EVENT_TYPE || !message.ts) continue;
    const ids = message.metadata.event_payload?.effects;
    if (Array.isArray(ids)) for (const id of ids) if (typeof id === "string") found.set(id, message.ts);
  }
  return found;
}

/** The ts of a message in the thread sharing a file of that name, if one landed. */
export async function findFile(
  client: WebClient,
  where: { channel: string; threadTs: string },
  filename: string,
): Promise<string | undefined> {
  const messages = await readBack(client, where);
  return messages.find((m) => m.files?.some((file) => file.name === filename))?.ts;
}

async function readBack(
  client: WebClient,
  where: { channel: string; threadTs?: string; since?: string },
): Promise<HistoryMessage[]> {
  const messages: HistoryMessage[] = [];
  let cursor: string | undefined;
  try {
    // A few pages are plenty: what we look for was posted moments before the answer was lost.
    for (let page = 0; page < 10; page++) {
      const answer = where.threadTs
        ? await client.conversations.replies({
            channel: where.channel,
            ts: where.threadTs,
            include_all_metadata: true,
            limit: 200,
            ...(cursor ? { cursor } : {}),
          })
        : await client.conversations.history({
            channel: where.channel,
            include_all_metadata: true,
            limit: 200,
            ...(where.since ? { oldest: where.since } : {}),
            ...(cursor ? { cursor } : {}),
          });
      messages.push(...((answer.messages ?? []) as HistoryMessage[]));
      cursor = answer.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
  } catch (error) {
    throw classifySlackError(error);
  }
  return messages;
}

/**
 * Posts once: effects the ledger has as done are skipped; effects tried before are looked for
 * first. Returns the ts of the message that carries them (undefined when nothing was left to post).
 */
export async function postOnce(
  client: WebClient,
  ledger: EffectLedger,
  post: TaggedPost,
  now: () => Date,
): Promise<string | undefined> {
  let ids = post.effectIds.filter((id) => ledger.get(id)?.status !== "done");
  if (ids.length === 0) return ledger.get(post.effectIds[0] ?? "")?.ts;
  const tried = ids.filter((id) => ledger.get(id)?.status === "tried");
  if (tried.length > 0) {
    const since = earliest(tried.map((id) => ledger.get(id)?.at));
    const found = await findTagged(client, {
      channel: post.channel,
      ...(post.threadTs ? { threadTs: post.threadTs } : {}),
      ...(since ? { since } : {}),
    });
    for (const id of ids) {
      const ts = found.get(id);
      if (ts) await ledger.mark(id, { status: "done", at: now().toISOString(), ts, channel: post.channel });
    }
    const landed = ids.filter((id) => found.has(id));
    ids = ids.filter((id) => !found.has(id));
    // The whole message landed: nothing to post again.
    if (ids.length === 0) return found.get(landed[0] ?? "");
    // Part of it landed (a batch grew since): the rest is posted below, on its own.
  }
  const whole = ids.length === post.effectIds.length;
  if (!whole && !post.textOf)
    throw new PreflightError(
      "bug",
      "a message carrying several effects was posted without the words of each",
    );
  const text = whole || !post.textOf ? post.text : post.textOf(ids);
  const at = now().toISOString();
  for (const id of ids) await ledger.mark(id, { status: "tried", at });
  let answer: { ts?: string; channel?: string };
  try {
    answer = await client.chat.postMessage({
      channel: post.channel,
      text,
      ...(post.threadTs ? { thread_ts: post.threadTs } : {}),
      // JSON text, as Slack receives it (slack-publisher.ts's redraw says why).
      ...(post.blocks ? { blocks: JSON.stringify(post.blocks) as never } : {}),
      unfurl_links: false,
      metadata: { event_type: EFFECT_EVENT_TYPE, event_payload: { effects: ids } } as never,
    });
  } catch (error) {
    throw classifySlackError(error);
  }
  const ts = answer.ts;
  for (const id of ids)
    await ledger.mark(id, {
      status: "done",
      at: now().toISOString(),
      ...(ts ? { ts } : {}),
      channel: answer.channel ?? post.channel,
    });
  return ts;
}

/**
 * A ledger whose "done" marks wait, so that the commit recording the post writes them with it
 * (`RunUpdate.records`): one write instead of two. "Tried" is written at once, before the post, as
 * always: if the commit never happens, a retry finds the message by its metadata. `flush` writes
 * what waited, for when no commit carried it.
 */
export function doneWithCommit(ledger: EffectLedger): {
  ledger: EffectLedger;
  done: Record<string, EffectRecord>;
  flush: () => Promise<void>;
} {
  const done: Record<string, EffectRecord> = {};
  return {
    ledger: {
      get: (id) => done[id] ?? ledger.get(id),
      mark: async (id, record) => {
        if (record.status === "done") done[id] = record;
        else await ledger.mark(id, record);
      },
    },
    done,
    flush: async () => {
      for (const [id, record] of Object.entries(done)) await ledger.mark(id, record);
    },
  };
}

/** Slack's `oldest` (seconds) a little before the first attempt, so clocks a bit apart still match. */
function earliest(times: (string | undefined)[]): string | undefined {
  const ms = times.filter((t): t is string => t !== undefined).map((t) => Date.parse(t));
  if (ms.length === 0) return undefined;
  return ((Math.min(...ms) - 60_000) / 1000).toFixed(6);
}
