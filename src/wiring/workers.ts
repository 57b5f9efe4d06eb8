import type { WebClient } from "@slack/web-api";
import type { Redis } from "ioredis";
import { createHttpProbe } from "../checks/http-probe.js";
import { createSqlRunner } from "../checks/sql-runner.js";
import type { Config } from "../config.js";
import type { Logger, MessageRefs, WindowStore } from "../core/ports.js";
import type { RdsGateway } from "../core/rds.js";
import type { PrometheusMetrics } from "../observability/metrics.js";
import { startActionWorker } from "../scheduler/action-queue.js";
import { startTimerWorker, type TimerQueue } from "../scheduler/bullmq-scheduler.js";
import { createChannelPace } from "../scheduler/channel-pace.js";
import { createActionExecutor } from "../service/action-executor.js";
import { createCheckExecutor } from "../service/check-executor.js";
import type { RunService } from "../service/run-service.js";
import { classifiedJobs } from "../slack/classified-jobs.js";
import { createTimedJobHandler } from "../slack/timed-jobs.js";

/** The timings bot options may shorten (tests do). */
export interface WorkerTimings {
  actionPollMs?: { first: number; max: number };
  checkBackoffMs?: number;
}

/**
 * The two queue workers: automated steps (RDS actions and checks) and timed jobs (reminders,
 * nudges, windows), each reporting back to the engine through the run service.
 */
export function startWorkers(
  config: Config,
  deps: {
    connection: Redis;
    redis: Redis;
    prefix: string;
    client: WebClient;
    service: RunService;
    rds: RdsGateway;
    refs: MessageRefs;
    windows: WindowStore;
    timers: TimerQueue;
    metrics: PrometheusMetrics;
    log: Logger;
    now: () => Date;
  },
  options: WorkerTimings,
) {
  const { service, log, now } = deps;
  const executor = createActionExecutor({
    gateway: deps.rds,
    defaultRegion: config.AWS_REGION,
    report: async (runId, event, eventId) => {
      const { result, effectsDone } = await service.act(runId, event, eventId);
      if (result.status === "refused")
        log.warn("an action's report was not applied", { runId, reason: result.refusal.message });
      await effectsDone;
    },
    ...(options.actionPollMs ? { pollMs: options.actionPollMs } : {}),
    now,
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
    connection: deps.connection,
    prefix: `${deps.prefix}bull`,
    execute: executor.execute,
    log,
  });
  const worker = startTimerWorker({
    connection: deps.connection,
    indexConnection: deps.redis,
    prefix: `${deps.prefix}bull`,
    handler: classifiedJobs(
      createTimedJobHandler({
        client: deps.client,
        runs: service,
        refs: deps.refs,
        windows: deps.windows,
        log,
        now,
        metrics: deps.metrics,
        scheduleWindowCheck: (runId, at) =>
          deps.timers.scheduler.scheduleWindowCheck?.(runId, at) ?? Promise.resolve(),
        pace: createChannelPace(deps.redis, deps.prefix, {
          perSecond: config.SLACK_CHANNEL_POSTS_PER_SECOND,
        }),
      }),
    ),
    log,
    concurrency: config.REMINDER_CONCURRENCY,
  });
  return { actionWorker, worker };
}

/**
 * Effects a dead process left in an outbox, and messages behind their stored run, are picked
 * up at start and by a sweep every few seconds (its lease expired, so it is free to take).
 * Returns the function that stops the sweep.
 */
export function startSweep(
  parts: { effects: { sweep(): Promise<unknown> }; refresher: { sweep(): Promise<unknown> } },
  log: Logger,
  everyMs: number,
): () => void {
  const sweep = async () => {
    try {
      await Promise.all([parts.effects.sweep(), parts.refresher.sweep()]);
    } catch (error) {
      log.warn("sweeping for left-over effects failed; the next sweep tries again", {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
  void sweep();
  const sweeper = setInterval(() => void sweep(), everyMs);
  sweeper.unref?.();
  return () => clearInterval(sweeper);
}
