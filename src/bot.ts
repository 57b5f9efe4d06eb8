import type { Server } from "node:http";
import { WebClient } from "@slack/web-api";
import { Redis } from "ioredis";
import { createRdsGateway } from "./aws/rds-gateway.js";
import { createCatalog } from "./checklists/catalog.js";
import { loadChecklists } from "./checklists/load-checklists.js";
import type { Config } from "./config.js";
import { formatProblem } from "./core/checklist/parse-checklist.js";
import type { Clock } from "./core/clock.js";
import type { Logger } from "./core/ports.js";
import { createActionQueue, startActionWorker } from "./scheduler/action-queue.js";
import { createBullmqScheduler, startTimerWorker } from "./scheduler/bullmq-scheduler.js";
import { createActionExecutor } from "./service/action-executor.js";
import { createRunService } from "./service/run-service.js";
import { createWindowService } from "./service/window-service.js";
import { createSlackApp } from "./slack/app.js";
import { createMessageRefresher } from "./slack/message-refresher.js";
import { createSlackPublisher } from "./slack/slack-publisher.js";
import { createSummaryPoster } from "./slack/summary-poster.js";
import { createThreadPoster } from "./slack/thread-poster.js";
import { createTimedJobHandler } from "./slack/timed-jobs.js";
import { createRedisMessageRefs } from "./store/redis-message-refs.js";
import { createRedisRunStore } from "./store/redis-run-store.js";
import { createRedisWindowStore } from "./store/redis-windows.js";

/** Wires the concrete pieces together. main.ts starts it; tests start it in-process. */

export class RedisUnavailableError extends Error {}

export interface BotOptions {
  log: Logger;
  /** Thread lines close together are batched (ms); tests shorten it. */
  threadBatchMs?: number;
  timerRetryDelayMs?: number;
  /** Effects left over from an interrupted change are carried out once they are this old (ms). */
  outboxMinAgeMs?: number;
  /** How often to look for them (ms); also once at start. */
  outboxSweepMs?: number;
  /** How often automated steps poll RDS (ms); tests shorten it. */
  actionPollMs?: { first: number; max: number };
  /** The one clock every part reads (the sandbox moves it forward); the system clock when absent. */
  clock?: Clock;
}

export async function startBot(config: Config, options: BotOptions) {
  const { log } = options;
  const clock = options.clock;
  const clockOption = clock ? { now: () => clock.now() } : {};
  const redis = new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    connectTimeout: 3_000,
    retryStrategy: () => null,
  });
  // Until connected, a failure is reported once below; afterwards Redis errors are logged.
  let connected = false;
  redis.on("error", (error: Error) => {
    if (connected) log.warn("Redis connection error", { error: error.message });
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(
      `Preflight can't reach Redis at ${config.REDIS_URL} (${error instanceof Error ? error.message : String(error)}). Start one (redis-server --daemonize yes) or set REDIS_URL.`,
    );
  }
  connected = true;
  // Reconnect from now on: a Redis restart should not take the bot down.
  redis.options.retryStrategy = (times: number) => Math.min(times * 200, 2_000);
  const workerConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  workerConnection.on("error", (error: Error) =>
    log.warn("Redis connection error (timer worker)", { error: error.message }),
  );

  const loaded = await loadChecklists([config.CHECKLISTS_DIR]);
  for (const problem of loaded.problems) log.warn(`checklist left out: ${formatProblem(problem)}`);
  const catalog = createCatalog(loaded.checklists);

  const client = new WebClient(config.SLACK_BOT_TOKEN, {
    rejectRateLimitedCalls: true,
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
  });
  const prefix = config.REDIS_PREFIX;
  const store = createRedisRunStore(redis, { prefix });
  const refs = createRedisMessageRefs(redis, prefix);
  const windowStore = createRedisWindowStore(redis, prefix);
  const refresher = createMessageRefresher({ client, store, refs, log, ...clockOption });
  const thread = createThreadPoster({
    client,
    refs,
    log,
    ...(options.threadBatchMs !== undefined ? { batchMs: options.threadBatchMs } : {}),
  });
  const timers = createBullmqScheduler({
    redis,
    prefix: `${prefix}bull`,
    log,
    ...clockOption,
    ...(options.timerRetryDelayMs !== undefined ? { retryDelayMs: options.timerRetryDelayMs } : {}),
  });
  const summaries = createSummaryPoster({
    client,
    store,
    refs,
    pendingReminders: timers.pendingReminders,
    log,
    ...clockOption,
  });
  const publisher = createSlackPublisher({ client, refs, refresher, thread, summaries, ...clockOption });
  const actionQueue = createActionQueue({ redis, prefix: `${prefix}bull` });
  const service = createRunService({
    store,
    catalog,
    publisher,
    scheduler: timers.scheduler,
    actions: actionQueue.runner,
    log,
    ...clockOption,
  });
  // The SDK finds credentials itself (the default chain) and honours AWS_ENDPOINT_URL_RDS.
  const rds = createRdsGateway();
  const executor = createActionExecutor({
    gateway: rds,
    defaultRegion: config.AWS_REGION,
    report: async (runId, event, eventId) => {
      const { result, effectsDone } = await service.act(runId, event, eventId);
      if (result.status === "refused")
        log.warn("an action's report was not applied", { runId, reason: result.refusal.message });
      await effectsDone;
    },
    ...(options.actionPollMs ? { pollMs: options.actionPollMs } : {}),
    ...clockOption,
  });
  const actionWorker = startActionWorker({
    connection: workerConnection,
    prefix: `${prefix}bull`,
    execute: executor.execute,
    log,
  });
  const worker = startTimerWorker({
    connection: workerConnection,
    prefix: `${prefix}bull`,
    handler: createTimedJobHandler({
      client,
      store,
      refs,
      windows: windowStore,
      thread,
      log,
      ...clockOption,
    }),
    log,
  });

  // A bot that died between storing a change and carrying out its effects left them in the outbox.
  const sweep = async () => {
    try {
      await service.recover(options.outboxMinAgeMs ?? 30_000);
    } catch (error) {
      log.error("recovering left-over effects failed", {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  await sweep();
  const sweeper = setInterval(() => void sweep(), options.outboxSweepMs ?? 60_000);

  const healthy = async () => {
    try {
      return (
        (await Promise.race([
          redis.ping(),
          new Promise((resolve) => setTimeout(resolve, 1_000, "timeout")),
        ])) === "PONG"
      );
    } catch {
      return false;
    }
  };
  const windows = createWindowService({
    catalog,
    windows: windowStore,
    scheduler: timers,
    runs: service,
    ...clockOption,
  });
  const app = createSlackApp(
    config,
    {
      service,
      catalog,
      log,
      refs,
      windows,
      timers,
      thread,
      rds,
      defaultRegion: config.AWS_REGION,
      summaries,
      ...clockOption,
    },
    healthy,
  );
  const started = (await app.start(config.PORT)) as Server | unknown;
  const address =
    started && typeof (started as Server).address === "function" ? (started as Server).address() : null;
  const port = address && typeof address === "object" ? address.port : config.PORT;
  log.info("Preflight is running", {
    mode: config.SLACK_APP_TOKEN ? "socket" : "http",
    port,
    checklists: catalog.list().map((entry) => entry.checklist.id),
  });

  async function stop(): Promise<void> {
    clearInterval(sweeper);
    await app.stop();
    await worker.close();
    await actionWorker.close();
    await actionQueue.close();
    await refresher.idle();
    await thread.idle();
    await timers.close();
    await Promise.all([redis.quit(), workerConnection.quit()]);
  }

  return {
    app,
    port,
    stop,
    service,
    store,
    refs,
    refresher,
    thread,
    timers,
    worker,
    catalog,
    actionQueue,
    rds,
  };
}
