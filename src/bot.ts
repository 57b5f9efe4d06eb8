import type { Server } from "node:http";
import { createLazyRdsGateway } from "./aws/lazy-rds-gateway.js";
import { createCatalog } from "./checklists/catalog.js";
import { withGroupHandlesResolved } from "./checklists/group-handles.js";
import { loadChecklists } from "./checklists/load-checklists.js";
import type { Config } from "./config.js";
import { formatProblem } from "./core/checklist/parse-checklist.js";
import type { Clock } from "./core/clock.js";
import type { Logger } from "./core/ports.js";
import type { RunEvent } from "./core/run/run-schema.js";
import { libraryLogger } from "./observability/library-logger.js";
import { createMetrics, type PrometheusMetrics } from "./observability/metrics.js";
import { countingFetch } from "./observability/slack-fetch.js";
import { createActionQueue } from "./scheduler/action-queue.js";
import { createBullmqScheduler } from "./scheduler/bullmq-scheduler.js";
import { createRunService } from "./service/run-service.js";
import { createWindowService } from "./service/window-service.js";
import { createSlackApp } from "./slack/app.js";
import { LeanWebClient } from "./slack/lean-web-client.js";
import { createSlackPeopleDirectory } from "./slack/people-directory.js";
import { linkOf } from "./slack/permalink.js";
import { redisWritable } from "./store/redis-durability.js";
import { countActiveRuns, outboxSummary } from "./store/redis-gauges.js";
import { createRedisHistory } from "./store/redis-history.js";
import { createRedisMessageRefs } from "./store/redis-message-refs.js";
import { createPersonIndex } from "./store/redis-person-index.js";
import { createRedisLeases, createRedisRunStore } from "./store/redis-run-store.js";
import { createRedisWindowStore } from "./store/redis-windows.js";
import { startTrackers } from "./tracker/start-trackers.js";
import { assembleEffects } from "./wiring/effects.js";
import { COMMAND_TIMEOUT_MS, connectStorage } from "./wiring/redis.js";
import { startSweep, startWorkers } from "./wiring/workers.js";

export { RedisUnavailableError } from "./wiring/redis.js";

/** Wires the concrete pieces together. main.ts starts it; tests start it in-process. */

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
  /** After a transient failure, effects and redraws are tried again after these delays (ms). */
  retryMs?: { first: number; max: number };
  /** After a permanent Slack failure, effects are tried again after this delay (ms). */
  permanentRetryMs?: number;
  /**
   * An effect an earlier process tried (and died during) is looked for once its try is this old
   * (ms; default 10 s, the Web API client's timeout): a call still landing is not made twice.
   */
  inFlightMs?: number;
  /** How often automated steps poll RDS (ms); tests shorten it. */
  actionPollMs?: { first: number; max: number };
  /** The first wait between http.check attempts (ms); tests shorten it. */
  checkBackoffMs?: number;
  /** Delays before the status page's POST is tried again after a transient failure (ms). */
  statusPageRetryMs?: number[];
  /** Socket Mode: a pong's deadline and the wait before reconnecting (ms); tests shorten it. */
  socketPingTimeoutMs?: number;
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
  const { redis, workerConnection, queueConnection, prefix, healthy } = await connectStorage(config, log);

  // Rate limits are rejected and nothing is retried by the client: retries are the effect
  // runner's, which honours Retry-After and looks for a post whose answer was lost before posting
  // again; the client's own retries would post it twice.
  const client = new LeanWebClient(config.SLACK_BOT_TOKEN, {
    timeout: 10_000,
    logger: libraryLogger(log, "web-api"),
    fetch: countingFetch(metrics),
    debug: config.LOG_LEVEL === "debug",
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
  const store = createRedisRunStore(redis, {
    prefix,
    retentionDays: config.RUN_RETENTION_DAYS,
    // A commit that reaches Redis after the command timed out is not applied (redis-deadline.ts).
    commitDeadlineMs: COMMAND_TIMEOUT_MS - 200,
  });
  const leases = createRedisLeases(redis, prefix);
  const refs = createRedisMessageRefs(redis, prefix);
  const windowStore = createRedisWindowStore(redis, prefix);
  const history = createRedisHistory(redis, { prefix });
  const timers = createBullmqScheduler({
    redis,
    queueConnection,
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
        return ref ? linkOf(client, log, ref) : undefined;
      },
    },
  );
  const actionQueue = createActionQueue({ redis: queueConnection, prefix: `${prefix}bull` });
  let report: (runId: string, event: RunEvent, eventId: string) => Promise<unknown> = async () => undefined;
  const { summaries, refresher, effects } = assembleEffects(
    {
      client,
      redis,
      prefix,
      store,
      leases,
      refs,
      history,
      timers,
      actions: actionQueue.runner,
      trackers,
      people,
      report: (runId, event, eventId) => report(runId, event, eventId),
      log,
      now,
    },
    options,
  );
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
  const rds = createLazyRdsGateway({ logger: libraryLogger(log, "aws-sdk"), onCall: metrics.rdsCall });
  const { actionWorker, worker } = startWorkers(
    config,
    {
      connection: workerConnection,
      redis,
      prefix,
      client,
      service,
      rds,
      refs,
      windows: windowStore,
      timers,
      metrics,
      log,
      now,
    },
    options,
  );
  const stopSweep = startSweep({ effects, refresher }, log, options.outboxSweepMs ?? 2_000);

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
      botClient: client,
      ...(options.retryMs ? { retryMs: options.retryMs } : {}),
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
      ...(options.socketPingTimeoutMs !== undefined
        ? { socketPingTimeoutMs: options.socketPingTimeoutMs }
        : {}),
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
    stopSweep();
    const within = (work: Promise<unknown>, ms: number) =>
      Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
    await within(app.stop(), 3_000);
    effects.stop();
    refresher.stop();
    await within(Promise.all([worker.close(), actionWorker.close()]), 5_000);
    await within(Promise.all([effects.idle(), refresher.idle()]), 5_000);
    await within(Promise.all([actionQueue.close(), timers.close()]), 2_000);
    await within(Promise.all([redis.quit(), workerConnection.quit(), queueConnection.quit()]), 2_000);
    redis.disconnect();
    workerConnection.disconnect();
    queueConnection.disconnect();
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
    /** The main connection: the store's, the leases', the indexes' (not BullMQ's queues'). */
    redis,
  };
}
