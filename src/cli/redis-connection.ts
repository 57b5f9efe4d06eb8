import { Redis } from "ioredis";
import type { CliIo } from "./io.js";

/** Redis for the commands that read it (REDIS_URL, REDIS_PREFIX), or one line saying why not. */
export async function connectRedis(
  env: Record<string, string | undefined>,
  io: CliIo,
): Promise<{ redis: Redis; url: string; prefix: string } | undefined> {
  const url = env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = env.REDIS_PREFIX ?? "preflight:";
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => {
    // Reported once below, as a line a person can act on.
  });
  try {
    await redis.connect();
    return { redis, url, prefix };
  } catch (error) {
    io.err(
      `can't reach Redis at ${url} (${error instanceof Error ? error.message : String(error)}); set REDIS_URL`,
    );
    redis.disconnect();
    return undefined;
  }
}
