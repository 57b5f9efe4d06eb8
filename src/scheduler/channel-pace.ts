import type { Redis } from "ioredis";
import { scriptOf } from "../store/redis-scripts.js";

/**
 * Slack takes about one post per second per channel (short bursts allowed) and answers 429
 * beyond. Posts of timed jobs wait their turn here instead: a token bucket per channel in Redis,
 * so every bot process sharing the Redis shares the pace. Redis's clock decides, not ours.
 */

/**
 * KEYS: 1 the channel's bucket; ARGV: 1 tokens per second, 2 burst
 * Returns 0 when a token was taken, else how many ms until one is there.
 */
const TAKE_TOKEN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or burst
local at = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait`;

export interface ChannelPaceOptions {
  /** Posts per second per channel (Slack: about 1). */
  perSecond?: number;
  /** Posts allowed at once before the pace applies. */
  burst?: number;
}

/** Waits until a post into `channel` is within the pace. */
export type ChannelPace = (channel: string) => Promise<void>;

export function createChannelPace(
  redis: Redis,
  prefix: string,
  options: ChannelPaceOptions = {},
): ChannelPace {
  const perSecond = options.perSecond ?? 1;
  const burst = options.burst ?? 3;
  const take = scriptOf<number>(redis, 1, TAKE_TOKEN);
  return async (channel) => {
    for (;;) {
      const wait = await take(`${prefix}pace:${channel}`, String(perSecond), String(burst));
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  };
}
