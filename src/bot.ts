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
import type { RunEvent } from "./core/run/run-schema.js";
import { createActionQueue, startActionWorker } from "./scheduler/action-queue.js";
import { createBullmqScheduler, startTimerWorker } from "./scheduler/bullmq-scheduler.js";
import { createChannelPace } from "./scheduler/channel-pace.js";
import { createActionExecutor } from "./service/action-executor.js";
import { createEffectRunner } from "./service/effect-runner.js";
import { createRunService } from "./service/run-service.js";
import { createWindowService } from "./service/window-service.js";
import { createSlackApp } from "./slack/app.js";
import { classifiedJobs } from "./slack/classified-jobs.js";
import { createMessageRefresher } from "./slack/message-refresher.js";
import { createSlackPublisher } from "./slack/slack-publisher.js";
import { createSummaryPoster } from "./slack/summary-poster.js";
import { createTimedJobHandler } from "./slack/timed-jobs.js";
import { createRedisMessageRefs } from "./store/redis-message-refs.js";
import { createRedisLeases, createRedisRunStore } from "./store/redis-run-store.js";
import { createRedisWindowStore } from "./store/redis-windows.js";

/** Wires the concrete pieces together. main.ts starts it; tests start it in-process. */

export class RedisUnavailableError extends Error {}

export interface BotOptions {
  log: Logger;
  /** Thread lines close together are batched (ms); tests shorten it. */
  threadBatchMs?: number;
  timerRetryDelayMs?: number;
  /** How often to look for effects left over and messages behind their run (ms); also at start. */
  outboxSweepMs?: number;
  /** A dead process's claim on a run's effects expires after this long (ms). */
  leaseMs?: number;
  /** At most one chat.update per run message in this interval (ms). */
  redrawIntervalMs?: number;
  /** After a transient failure, effects are tried again after these delays (ms). */
  retryMs?: { first: number; max: number };
  /** After a permanent Slack failure, effects are tried again after this delay (ms). */
  permanentRetryMs?: number;
  /** How often automated steps poll RDS (ms); tests shorten it. */
  actionPollMs?: { first: number; max: number };
  /** The one clock every part reads (the sandbox moves it forward); the system clock when absent. */
  clock?: Clock;
}

export async function startBot(config: Config, options: BotOptions) {
  const { log } = options;
  // One clock for every part: the engine, renderers, scheduler, windows (the sandbox moves it).
  const clock = options.clock;
  const now = clock ? () => clock.now() : () => new Date();
  const clockOption = { now };
  const redis = new Redis(config.REDIS_URL, {
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    connectTimeout: 3_000,
    // Every request is answered within Slack's 3 s even when Redis hangs: a command that
    // takes longer fails as "storage unavailable".
    commandTimeout: 1_500,
    retryStrategy: () => null,
  });
  // Until connected, a failure is reported once below; afterwards an outage is logged once
  // when it starts and once when it ends, not for every reconnection attempt.
  let connected = false;
  let down = false;
  redis.on("error", (error: Error) => {
    if (!connected || down) return;
    down = true;
    log.warn("Redis connection lost; reconnecting", { error: error.message });
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    log.info("Redis connection back");
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
  // Its outages are the same as the main connection's, which logs them.
  workerConnection.on("error", () => undefined);

  const loaded = await loadChecklists([config.CHECKLISTS_DIR]);
  for (const problem of loaded.problems) log.warn(`checklist left out: ${formatProblem(problem)}`);
  const catalog = createCatalog(loaded.checklists);

  const client = new WebClient(config.SLACK_BOT_TOKEN, {
    rejectRateLimitedCalls: true,
    // Retries are the effect runner's: it honours Retry-After and looks for a post whose answer
    // was lost before posting again; the client's own retries would post it twice.
    retryConfig: { retries: 0 },
    timeout: 10_000,
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
  });
  const prefix = config.REDIS_PREFIX;
  const store = createRedisRunStore(redis, { prefix, retentionDays: config.RUN_RETENTION_DAYS });
  const leases = createRedisLeases(redis, prefix);
  const refs = createRedisMessageRefs(redis, prefix);
  const windowStore = createRedisWindowStore(redis, prefix);
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
    now,
  });
  const publisher = createSlackPublisher({
    client,
    refs,
    summaries,
    claimOnce: async (name) =>
      (await redis.set(`${prefix}once:${name}`, "1", "EX", 30 * 86_400, "NX")) === "OK",
    log,
    now,
  });
  const refresher = createMessageRefresher({
    store,
    leases,
    publisher,
    log,
    ...(options.redrawIntervalMs !== undefined ? { minIntervalMs: options.redrawIntervalMs } : {}),
    ...(options.permanentRetryMs !== undefined ? { permanentRetryMs: options.permanentRetryMs } : {}),
  });
  const actionQueue = createActionQueue({ redis, prefix: `${prefix}bull` });
  let report: (runId: string, event: RunEvent, eventId: string) => Promise<unknown> = async () => undefined;
  const effects = createEffectRunner({
    store,
    leases,
    publisher,
    scheduler: timers.scheduler,
    actions: actionQueue.runner,
    report: (runId, event, eventId) => report(runId, event, eventId),
    log,
    now,
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    ...(options.threadBatchMs !== undefined ? { lineBatchMs: options.threadBatchMs } : {}),
    ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
    ...(options.permanentRetryMs !== undefined ? { permanentRetryMs: options.permanentRetryMs } : {}),
  });
  const service = createRunService({ store, catalog, effects, redraws: refresher, log, now });
  report = (runId, event, eventId) => service.act(runId, event, eventId);
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
    handler: classifiedJobs(
      createTimedJobHandler({
        client,
        runs: service,
        refs,
        windows: windowStore,
        log,
        now,
        pace: createChannelPace(redis, prefix, { perSecond: config.SLACK_CHANNEL_POSTS_PER_SECOND }),
      }),
    ),
    log,
    concurrency: config.REMINDER_CONCURRENCY,
  });

  // Effects a dead process left in an outbox, and messages behind their stored run, are picked
  // up at start and by a sweep every few seconds (its lease expired, so it is free to take).
  const sweep = async () => {
    try {
      await Promise.all([effects.sweep(), refresher.sweep()]);
    } catch (error) {
      log.warn("sweeping for left-over effects failed; the next sweep tries again", {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  void sweep();
  const sweeper = setInterval(() => void sweep(), options.outboxSweepMs ?? 2_000);
  sweeper.unref?.();

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

  /**
   * Stops taking requests, lets what is in flight finish, closes the workers and connections.
   * Each part has a deadline: a Redis or Slack that hangs must not keep the process alive
   * (what was not finished is in the outbox or the queues, and the next process carries it out).
   */
  async function stop(): Promise<void> {
    clearInterval(sweeper);
    const within = (work: Promise<unknown>, ms: number) =>
      Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
    await within(app.stop(), 3_000);
    effects.stop();
    refresher.stop();
    await within(Promise.all([worker.close(), actionWorker.close()]), 5_000);
    await within(Promise.all([effects.idle(), refresher.idle()]), 5_000);
    await within(Promise.all([actionQueue.close(), timers.close()]), 2_000);
    await within(Promise.all([redis.quit(), workerConnection.quit()]), 2_000);
    redis.disconnect();
    workerConnection.disconnect();
  }

  return {
    app,
    port,
    stop,
    service,
    store,
    refs,
    refresher,
    effects,
    timers,
    worker,
    catalog,
    actionQueue,
    rds,
  };
}
