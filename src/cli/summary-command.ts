import { Redis } from "ioredis";
import { buildSummary } from "../core/summary.js";
import { summaryMarkdown } from "../render/summary-markdown.js";
import { createBullmqScheduler } from "../scheduler/bullmq-scheduler.js";
import { createRedisRunStore } from "../store/redis-run-store.js";
import type { CliIo } from "./io.js";

/** `preflight summary <run-id>`: the post-mortem Markdown of a run, read from Redis. */
export async function printSummary(
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
  const quiet = { info: () => {}, warn: () => {}, error: (message: string) => io.err(message) };
  const timers = createBullmqScheduler({ redis, prefix: `${prefix}bull`, log: quiet });
  try {
    const store = createRedisRunStore(redis, { prefix });
    const run = await store.getComplete(runId);
    if (!run) {
      io.err(`no run "${runId}" in Redis at ${url} with prefix ${prefix}`);
      return 1;
    }
    const pendingReminders = await timers.pendingReminders(runId);
    io.out(summaryMarkdown(buildSummary({ run, pendingReminders, now: new Date() })));
    return 0;
  } finally {
    await timers.close();
    await redis.quit();
  }
}
