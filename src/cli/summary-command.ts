import { WebClient } from "@slack/web-api";
import { historyWithRun } from "../core/history/history-entry.js";
import type { Logger } from "../core/ports.js";
import { buildSummary } from "../core/summary.js";
import { nameMentions } from "../render/display-names.js";
import { summaryMarkdown } from "../render/summary-markdown.js";
import { createBullmqScheduler } from "../scheduler/bullmq-scheduler.js";
import { createSlackPeopleDirectory } from "../slack/people-directory.js";
import { createRedisHistory } from "../store/redis-history.js";
import { createRedisRunStore } from "../store/redis-run-store.js";
import type { CliIo } from "./io.js";
import { connectRedis } from "./redis-connection.js";

/** Display names from Slack's users.info when SLACK_BOT_TOKEN is set; none (ids) otherwise. */
function displayNames(
  env: Record<string, string | undefined>,
  log: Logger,
): (user: string) => Promise<string | undefined> {
  if (!env.SLACK_BOT_TOKEN) return async () => undefined;
  const client = new WebClient(env.SLACK_BOT_TOKEN, {
    retryConfig: { retries: 0 },
    timeout: 5_000,
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
  });
  return createSlackPeopleDirectory({ client, log }).displayName;
}

/** `preflight summary <run-id>`: the post-mortem Markdown of a run, read from Redis. */
export async function printSummary(
  runId: string,
  io: CliIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  const connected = await connectRedis(env, io);
  if (!connected) return 1;
  const { redis, url, prefix } = connected;
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
    const stored = await createRedisHistory(redis, { prefix }).entries(run.plan.id, run.environment ?? null);
    const history = historyWithRun(run, stored);
    const markdown = summaryMarkdown(buildSummary({ run, pendingReminders, now: new Date(), history }));
    // Read outside Slack: names instead of <@U…> (from Slack when a token is set, else the ids).
    io.out(await nameMentions(markdown, displayNames(env, quiet)));
    return 0;
  } finally {
    await timers.close();
    await redis.quit();
  }
}
