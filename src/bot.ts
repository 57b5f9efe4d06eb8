import type { Server } from "node:http";
import { WebClient } from "@slack/web-api";
import { createRdsGateway } from "./aws/rds-gateway.js";
import { createCatalog } from "./checklists/catalog.js";
import { withGroupHandlesResolved } from "./checklists/group-handles.js";
import { loadChecklists } from "./checklists/load-checklists.js";
import { createHttpProbe } from "./checks/http-probe.js";
import { createSqlRunner } from "./checks/sql-runner.js";
import type { Config } from "./config.js";
import { formatProblem } from "./core/checklist/parse-checklist.js";
import type { Clock } from "./core/clock.js";
import type { Logger } from "./core/ports.js";
import type { RunEvent } from "./core/run/run-schema.js";
import { libraryLogger } from "./observability/library-logger.js";
import { createMetrics, type PrometheusMetrics } from "./observability/metrics.js";
import { countingFetch } from "./observability/slack-fetch.js";
import { createActionQueue, startActionWorker } from "./scheduler/action-queue.js";
import { createBullmqScheduler, startTimerWorker } from "./scheduler/bullmq-scheduler.js";
import { createChannelPace } from "./scheduler/channel-pace.js";
import { createActionExecutor } from "./service/action-executor.js";
import { createCheckExecutor } from "./service/check-executor.js";
import { createEffectRunner } from "./service/effect-runner.js";
import { createRunService } from "./service/run-service.js";
import { createStatusPageClient } from "./service/status-page-client.js";
import { createWindowService } from "./service/window-service.js";
import { createSlackApp } from "./slack/app.js";
import { classifiedJobs } from "./slack/classified-jobs.js";
import { createMessageRefresher } from "./slack/message-refresher.js";
import { createSlackPeopleDirectory } from "./slack/people-directory.js";
import { permalinkOf } from "./slack/permalink.js";
import { createSlackPublisher } from "./slack/slack-publisher.js";
import { createStakeholderPoster } from "./slack/stakeholder-poster.js";
import { createSummaryPoster } from "./slack/summary-poster.js";
import { createTimedJobHandler } from "./slack/timed-jobs.js";
import {
  connectRedis,
  describeTarget,
  keyPrefixFor,
  reconnectFromNowOn,
  redisTargetOf,
} from "./store/redis-connection.js";
import { checkDurability, redisWritable } from "./store/redis-durability.js";
import { countActiveRuns, outboxSummary } from "./store/redis-gauges.js";
import { createRedisHistory } from "./store/redis-history.js";
import { createRedisMessageRefs } from "./store/redis-message-refs.js";
import { createPersonIndex } from "./store/redis-person-index.js";
import { createRedisLeases, createRedisRunStore } from "./store/redis-run-store.js";
import { createRedisWindowStore } from "./store/redis-windows.js";
import { startTrackers } from "./tracker/start-trackers.js";

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
  /** The first wait between http.check attempts (ms); tests shorten it. */
  checkBackoffMs?: number;
  /** Delays before the status page's POST is tried again after a transient failure (ms). */
  statusPageRetryMs?: number[];
  /** The one clock every part reads (the sandbox moves it forward); the system clock when absent. */
  clock?: Clock;
  /** Prometheus metrics served on /metrics; a registry of the bot's own when absent. */
  metrics?: PrometheusMetrics;
}

export async function startBot(config: Config, options: BotOptions) {
  const { log } = options;
  // One clock for every part: the engine, renderers, scheduler, windows (the sandbox moves it).
  const clock = options.clock;
  const now = clock ? () => clock.now() : () => new Date();
  const clockOption = { now };
  const metrics = options.metrics ?? createMetrics();
  // One server, a Sentinel-watched primary, or a Cluster (whose keys then share one hash tag).
  const target = redisTargetOf(config);
  const redis = connectRedis(target, {
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
      `Preflight can't reach Redis at ${describeTarget(target)} (${error instanceof Error ? error.message : String(error)}). Start one (redis-server --daemonize yes) or set REDIS_URL.`,
    );
  }
  connected = true;
  // Reconnect from now on: a Redis restart should not take the bot down.
  reconnectFromNowOn(redis);
  await checkDurability(redis, config.PREFLIGHT_REQUIRE_DURABLE_REDIS, log).catch((error: unknown) => {
    redis.disconnect();
    throw error;
  });
  const workerConnection = connectRedis(target, { maxRetriesPerRequest: null });
  // Its outages are the same as the main connection's, which logs them.
  workerConnection.on("error", () => undefined);

  const client = new WebClient(config.SLACK_BOT_TOKEN, {
    rejectRateLimitedCalls: true,
    // Retries are the effect runner's: it honours Retry-After and looks for a post whose answer
    // was lost before posting again; the client's own retries would post it twice.
    retryConfig: { retries: 0 },
    timeout: 10_000,
    logger: libraryLogger(log, "web-api"),
    fetch: countingFetch(metrics),
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
  });
  // Who people are (group members, handles, names), from Slack with a short cache.
  const people = createSlackPeopleDirectory({ client, log, now });
  // Group @handles in checklists become ids here, once (group-handles.ts).
  const loaded = await withGroupHandlesResolved(await loadChecklists([config.CHECKLISTS_DIR]), () =>
    people.groupIds(),
  );
  for (const problem of loaded.problems) log.warn(`checklist left out: ${formatProblem(problem)}`);
  const catalog = createCatalog(loaded.checklists);
  const prefix = keyPrefixFor(target, config.REDIS_PREFIX);
  const store = createRedisRunStore(redis, { prefix, retentionDays: config.RUN_RETENTION_DAYS });
  const leases = createRedisLeases(redis, prefix);
  const refs = createRedisMessageRefs(redis, prefix);
  const windowStore = createRedisWindowStore(redis, prefix);
  const history = createRedisHistory(redis, { prefix });
  const timers = createBullmqScheduler({
    redis,
    prefix: `${prefix}bull`,
    log,
    ...clockOption,
    ...(options.timerRetryDelayMs !== undefined ? { retryDelayMs: options.timerRetryDelayMs } : {}),
  });
  const trackers = await startTrackers(
    config,
    loaded.checklists.map((entry) => entry.checklist),
    {
      store,
      log,
      now,
      report: (runId, event, eventId) => report(runId, event, eventId),
      runLink: async (run) => {
        const ref = await refs.get(run.id);
        return ref ? permalinkOf(client, log, ref.channel, ref.ts) : undefined;
      },
    },
  );
  const summaries = createSummaryPoster({
    client,
    store,
    refs,
    pendingReminders: timers.pendingReminders,
    history,
    log,
    now,
    displayName: (user) => people.displayName(user),
    followUpStates: trackers.runner.followUpStates,
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
    history,
    trackers: trackers.runner,
    report: (runId, event, eventId) => report(runId, event, eventId),
    stakeholders: createStakeholderPoster({ client, refs, now }),
    statusPage: createStatusPageClient({
      env: process.env,
      ...(options.statusPageRetryMs !== undefined ? { retryDelaysMs: options.statusPageRetryMs } : {}),
    }),
    log,
    now,
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    ...(options.threadBatchMs !== undefined ? { lineBatchMs: options.threadBatchMs } : {}),
    ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
    ...(options.permanentRetryMs !== undefined ? { permanentRetryMs: options.permanentRetryMs } : {}),
  });
  const service = createRunService({
    store,
    catalog,
    effects,
    redraws: refresher,
    log,
    now,
    history,
    metrics,
    people,
    ticketLink: trackers.ticketLink,
    personRuns: createPersonIndex(redis, prefix),
  });
  report = (runId, event, eventId) => service.act(runId, event, eventId);
  // The SDK finds credentials itself (the default chain) and honours AWS_ENDPOINT_URL_RDS.
  const rds = createRdsGateway({ logger: libraryLogger(log, "aws-sdk"), onCall: metrics.rdsCall });
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
    checks: createCheckExecutor({
      http: createHttpProbe(),
      sql: createSqlRunner(),
      databaseUrls: config.databaseUrls ?? {},
      now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...(options.checkBackoffMs !== undefined ? { backoffMs: options.checkBackoffMs } : {}),
    }),
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
        metrics,
        scheduleWindowCheck: (runId, at) =>
          timers.scheduler.scheduleWindowCheck?.(runId, at) ?? Promise.resolve(),
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
      metrics,
      people,
      ...clockOption,
    },
    healthy,
    {
      notReady: async () => [
        ...((await redisWritable(redis, `${prefix}readyz`)) ? [] : ["redis is not writable"]),
        ...(worker.isRunning() && actionWorker.isRunning() ? [] : ["the workers are not running"]),
      ],
      scrape: () => metrics.scrape(),
    },
  );
  metrics.watch({
    activeRuns: () => countActiveRuns(redis, prefix),
    outbox: () => outboxSummary(store, now()),
    remindersPending: () => timers.queue.getDelayedCount(),
  });
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
    metrics,
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
