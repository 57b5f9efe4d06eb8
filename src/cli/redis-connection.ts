import type { Redis } from "ioredis";
import { loadRedisSettings } from "../config.js";
import {
  connectRedis as connectTarget,
  describeTarget,
  keyPrefixFor,
  type RedisTarget,
  redisTargetOf,
} from "../store/redis-connection.js";
import type { CliIo } from "./io.js";

/**
 * Redis for the commands that read it, configured as the bot is: REDIS_URL, or REDIS_SENTINELS
 * with REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES (whose keys share one hash tag), and
 * REDIS_PREFIX. Anything wrong is said in one line a person can act on, and nothing is returned.
 */

/** Where the CLI reads from, and under which key prefix; or the lines saying what is wrong. */
export function cliRedisTarget(
  env: Record<string, string | undefined>,
): { ok: true; target: RedisTarget; prefix: string } | { ok: false; problems: string[] } {
  const loaded = loadRedisSettings(env);
  if (!loaded.ok) return loaded;
  const target = redisTargetOf(loaded.settings);
  return { ok: true, target, prefix: keyPrefixFor(target, loaded.settings.REDIS_PREFIX) };
}

export async function connectRedis(
  env: Record<string, string | undefined>,
  io: CliIo,
): Promise<{ redis: Redis; url: string; prefix: string } | undefined> {
  const configured = cliRedisTarget(env);
  if (!configured.ok) {
    io.err(`the Redis settings are not usable:\n${configured.problems.join("\n")}`);
    return undefined;
  }
  const { target, prefix } = configured;
  const where = describeTarget(target);
  const redis = connectTarget(target, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
    // A command run by hand says at once that Redis can't be reached, rather than wait for it.
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
  });
  redis.on("error", () => {
    // Reported once below, as a line a person can act on.
  });
  try {
    await redis.connect();
    return { redis, url: where, prefix };
  } catch (error) {
    io.err(
      `can't reach Redis at ${where} (${error instanceof Error ? error.message : String(error)}); set REDIS_URL, or REDIS_SENTINELS and REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES`,
    );
    redis.disconnect();
    return undefined;
  }
}
