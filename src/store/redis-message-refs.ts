import type { Redis } from "ioredis";
import { z } from "zod";
import type { MessageRef, MessageRefs } from "../core/ports.js";

const refSchema = z.object({ channel: z.string().min(1), ts: z.string().min(1) });

/** Where each run's message is, and the reverse: which run a thread belongs to. */
export function createRedisMessageRefs(redis: Redis, prefix = "preflight:"): MessageRefs {
  const runKey = (runId: string) => `${prefix}run:${runId}:message`;
  const threadKey = (channel: string, ts: string) => `${prefix}thread:${channel}:${ts}`;
  return {
    async save(runId: string, ref: MessageRef) {
      await redis
        .multi()
        .set(runKey(runId), JSON.stringify(ref))
        .set(threadKey(ref.channel, ref.ts), runId)
        .exec();
    },
    async get(runId: string) {
      const json = await redis.get(runKey(runId));
      if (json === null) return undefined;
      const parsed = refSchema.safeParse(JSON.parse(json));
      if (!parsed.success) throw new Error(`message reference of run ${runId} in Redis is malformed`);
      return parsed.data;
    },
    async runOfThread(channel: string, threadTs: string) {
      return (await redis.get(threadKey(channel, threadTs))) ?? undefined;
    },
  };
}
