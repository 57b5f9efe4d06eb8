import { createRedisRunStore } from "../store/redis-run-store.js";
import type { CliIo } from "./io.js";
import { connectRedis } from "./redis-connection.js";

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
  const connected = await connectRedis(env, io);
  if (!connected) return 1;
  const { redis, url, prefix } = connected;
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
