import type { Redis } from "ioredis";
import { z } from "zod";
import type { MessageRef, MessageRefs } from "../core/ports.js";
import { createLru } from "./lru.js";
import { scriptOf } from "./redis-scripts.js";

const refSchema = z.object({
  channel: z.string().min(1),
  ts: z.string().min(1),
  link: z.url({ protocol: /^https?$/ }).optional(),
});

/** Which run a thread belongs to; the run store expires it with the closed run. */
export const threadKeyOf = (prefix: string, ref: MessageRef) => `${prefix}thread:${ref.channel}:${ref.ts}`;

/** Reads the reference kept under `run:<id>:message`; undefined when it is not one. */
export function messageRefOf(json: string | null): MessageRef | undefined {
  if (json === null) return undefined;
  const parsed = refSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : undefined;
}

/**
 * Both keys; a run already closed (its message posted after it ended) gives them its remaining
 * time. KEYS: 1 run's message, 2 thread, 3 run; ARGV: 1 reference json, 2 run id
 */
const SAVE_REF = `
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
local ttl = redis.call('PTTL', KEYS[3])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1`;

/** Run messages whose place this process remembers (bounded). */
const REMEMBERED_REFS = 2_000;

/**
 * Where each run's message is, and the reverse: which run a thread belongs to. A run message is
 * posted once and never moves, so a place once known is kept in memory (a click, a thread line
 * and a redraw each need it): only a run whose message is not posted yet is asked again.
 */
export function createRedisMessageRefs(redis: Redis, prefix = "preflight:"): MessageRefs {
  const runKey = (runId: string) => `${prefix}run:${runId}:message`;
  const known = createLru<string, MessageRef>(REMEMBERED_REFS);
  const saveRef = scriptOf(redis, 3, SAVE_REF);
  return {
    async save(runId: string, ref: MessageRef) {
      await saveRef(
        runKey(runId),
        threadKeyOf(prefix, ref),
        `${prefix}run:${runId}`,
        JSON.stringify(ref),
        runId,
      );
      known.set(runId, { channel: ref.channel, ts: ref.ts, ...(ref.link ? { link: ref.link } : {}) });
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
      return (await redis.get(threadKeyOf(prefix, { channel, ts: threadTs }))) ?? undefined;
    },
  };
}
