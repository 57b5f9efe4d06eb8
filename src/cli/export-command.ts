import { Redis } from "ioredis";
import { createRedisRunStore } from "../store/redis-run-store.js";
import type { CliIo } from "./io.js";

/**
 * `preflight export <run-id>`: the whole run (every history entry and note) and its log as one
 * JSON document on stdout, read from Redis (REDIS_URL, REDIS_PREFIX) like `preflight summary`:
 * for auditors, before the run's retention (RUN_RETENTION_DAYS after it closed) runs out.
 */
export async function exportRun(
  runId: string,
  io: CliIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  const url = env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = env.REDIS_PREFIX ?? "preflight:";
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => {
    // Reported once below, as a line a person can act on.
  });
  try {
    await redis.connect();
  } catch (error) {
    io.err(
      `can't reach Redis at ${url} (${error instanceof Error ? error.message : String(error)}); set REDIS_URL`,
    );
    redis.disconnect();
    return 1;
  }
  try {
    const store = createRedisRunStore(redis, { prefix });
    const run = await store.getComplete(runId);
    if (!run) {
      io.err(
        `no run "${runId}" in Redis at ${url} with prefix ${prefix} (closed runs expire after RUN_RETENTION_DAYS)`,
      );
      return 1;
    }
    const log = await store.log(runId);
    const expiresInSeconds = await redis.ttl(`${prefix}run:${runId}`);
    io.out(
      JSON.stringify(
        {
          exportedAt: new Date().toISOString(),
          ...(expiresInSeconds > 0
            ? { expiresAt: new Date(Date.now() + expiresInSeconds * 1_000).toISOString() }
            : {}),
          run,
          log,
        },
        null,
        2,
      ),
    );
    return 0;
  } finally {
    await redis.quit();
  }
}
