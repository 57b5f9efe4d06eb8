import type { WebClient } from "@slack/web-api";
import { Cluster, type Redis } from "ioredis";
import type { ActionRunner, Leases, Logger, MessageRefs, RunStore } from "../core/ports.js";
import type { RunEvent } from "../core/run/run-schema.js";
import { answeringPeople } from "../observability/loop-load.js";
import type { TimerQueue } from "../scheduler/bullmq-scheduler.js";
import { createEffectRunner } from "../service/effect-runner.js";
import { createStatusPageClient } from "../service/status-page-client.js";
import { createMessageRefresher } from "../slack/message-refresher.js";
import type { createSlackPeopleDirectory } from "../slack/people-directory.js";
import { createSlackPublisher } from "../slack/slack-publisher.js";
import { createStakeholderPoster } from "../slack/stakeholder-poster.js";
import { createSummaryPoster } from "../slack/summary-poster.js";
import type { createRedisHistory } from "../store/redis-history.js";
import type { startTrackers } from "../tracker/start-trackers.js";

/** The timings bot options may shorten (tests do); defaults live with each part. */
export interface EffectTimings {
  threadBatchMs?: number;
  leaseMs?: number;
  redrawIntervalMs?: number;
  retryMs?: { first: number; max: number };
  permanentRetryMs?: number;
  statusPageRetryMs?: number[];
  inFlightMs?: number;
}

/**
 * The parts that carry out a run's effects: the summary poster, the Slack publisher, the
 * run-message refresher and the effect runner that drives them from the outbox.
 */
export function assembleEffects(
  deps: {
    client: WebClient;
    redis: Redis;
    prefix: string;
    store: RunStore;
    leases: Leases;
    refs: MessageRefs;
    history: ReturnType<typeof createRedisHistory>;
    timers: TimerQueue;
    actions: ActionRunner;
    trackers: Awaited<ReturnType<typeof startTrackers>>;
    people: ReturnType<typeof createSlackPeopleDirectory>;
    /** An event an effect reports back to the engine (set once the run service exists). */
    report: (runId: string, event: RunEvent, eventId: string) => Promise<unknown>;
    log: Logger;
    now: () => Date;
  },
  options: EffectTimings,
) {
  const { client, redis, prefix, store, leases, refs, history, timers, trackers, log, now } = deps;
  const summaries = createSummaryPoster({
    client,
    store,
    refs,
    pendingReminders: timers.pendingReminders,
    history,
    log,
    now,
    displayName: (user) => deps.people.displayName(user),
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
    busy: answeringPeople,
    ...(options.redrawIntervalMs !== undefined ? { minIntervalMs: options.redrawIntervalMs } : {}),
    ...(options.permanentRetryMs !== undefined ? { permanentRetryMs: options.permanentRetryMs } : {}),
    ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
  });
  const effects = createEffectRunner({
    store,
    leases,
    publisher,
    scheduler: timers.scheduler,
    actions: deps.actions,
    history,
    trackers: trackers.runner,
    report: deps.report,
    busy: answeringPeople,
    stakeholders: createStakeholderPoster({ client, refs, now }),
    statusPage: createStatusPageClient({
      env: process.env,
      ...(options.statusPageRetryMs !== undefined ? { retryDelaysMs: options.statusPageRetryMs } : {}),
    }),
    log,
    now,
    // The store and the leases share `redis`; a Cluster spreads their keys over nodes.
    inOrder: !(redis instanceof Cluster),
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
    ...(options.inFlightMs !== undefined ? { inFlightMs: options.inFlightMs } : {}),
    ...(options.threadBatchMs !== undefined ? { lineBatchMs: options.threadBatchMs } : {}),
    ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
    ...(options.permanentRetryMs !== undefined ? { permanentRetryMs: options.permanentRetryMs } : {}),
  });
  return { summaries, publisher, refresher, effects };
}
