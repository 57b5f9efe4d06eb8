import type { Redis } from "ioredis";
import { z } from "zod";
import type { MessageRef, MessageRefs } from "../core/ports.js";
import { createLru } from "./lru.js";

const refSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });

/** Run messages whose place this process remembers (bounded). */
const REMEMBERED_REFS = 2_000;

/**
 * Where each run's message is, and the reverse: which run a thread belongs to. A run message is
 * posted once and never moves, so a place once known is kept in memory (a click, a thread line
 * and a redraw each need it): only a run whose message is not posted yet is asked again.
 */
export function createRedisMessageRefs(redis: Redis, prefix = "preflight:"): MessageRefs {
  const runKey = (runId: string) => `${prefix}run:${runId}:message`;
  const threadKey = (channel: string, ts: string) => `${prefix}thread:${channel}:${ts}`;
  const known = createLru<string, MessageRef>(REMEMBERED_REFS);
  return {
    async save(runId: string, ref: MessageRef) {
      await redis
        .multi()
        .set(runKey(runId), JSON.stringify(ref))
        .set(threadKey(ref.channel, ref.ts), runId)
        .exec();
      known.set(runId, { channel: ref.channel, ts: ref.ts });
    },
    async get(runId: string) {
      const remembered = known.get(runId);
      if (remembered) return remembered;
      const json = await redis.get(runKey(runId));
      if (json === null) return undefined;
      const parsed = refSchema.safeParse(JSON.parse(json));
      if (!parsed.success) throw new Error(`message reference of run ${runId} in Redis is malformed`);
      known.set(runId, parsed.data);
      return parsed.data;
    },
    async runOfThread(channel: string, threadTs: string) {
      return (await redis.get(threadKey(channel, threadTs))) ?? undefined;
    },
  };
}
