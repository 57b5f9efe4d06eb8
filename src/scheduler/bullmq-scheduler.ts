import { type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { isPreflightError } from "../core/errors.js";
import type { Logger, Scheduler } from "../core/ports.js";
import { type ScheduledReminder, scheduledReminderSchema } from "../core/run/run-schema.js";
import {
  type JobKind,
  nudgeSchema,
  type OverrunNudge,
  type PendingJob,
  type TimedJobHandler,
  type WindowCheck,
  windowCheckSchema,
} from "../core/timed-jobs.js";
import { type MaintenanceWindow, windowJobSchema, windowJobs } from "../core/window.js";
import { createPendingIndex } from "./pending-index.js";
import { throttledErrorLog } from "./throttled-log.js";

/**
 * Reminders and overrun nudges as BullMQ delayed jobs: they live in Redis, survive restarts
 * (kill -9 included) and are processed once by whichever bot process takes them. Job ids are
 * deterministic, so scheduling the same reminder twice is a no-op.
 */

export type { JobKind, OverrunNudge, PendingJob, TimedJobHandler } from "../core/timed-jobs.js";

export interface BullmqSchedulerOptions {
  /** Producer connection: fails fast. Holds the indexes of what is pending. */
  redis: Redis;
  /**
   * The queue's own connection (default `redis`): BullMQ defines its Lua scripts on it, and
   * ioredis copies every script of a connection into each of its pipelines, so the store's
   * connection is better off without them.
   */
  queueConnection?: Redis;
  /** BullMQ key prefix (never ioredis keyPrefix). */
  prefix: string;
  queueName?: string;
  log: Logger;
  now?: () => Date;
  /** Backoff of failed posts, ms (tests shorten it). */
  retryDelayMs?: number;
}

/**
 * How many Retry-After waits one attempt of a job sits through before it counts as failed: a 429
 * is Slack setting the pace, not a failure, so a burst into one channel waits rather than fails.
 */
const MAX_RATE_LIMIT_WAITS = 200;
/** Timed jobs carried out at once per process (most of their time is waiting for Slack). */
export const DEFAULT_TIMER_CONCURRENCY = 32;

const JOB_OPTIONS = { attempts: 5, removeOnComplete: { age: 30 * 86_400 }, removeOnFail: false } as const;

export type TimerQueue = ReturnType<typeof createBullmqScheduler>;

export function createBullmqScheduler(options: BullmqSchedulerOptions) {
  const queueName = options.queueName ?? "preflight-timers";
  const now = options.now ?? (() => new Date());
  const queue = new Queue(queueName, {
    connection: options.queueConnection ?? options.redis,
    prefix: options.prefix,
  });
  // Connection errors: the bot's Redis connection logs an outage once; callers see the failure.
  queue.on("error", () => undefined);
  const backoff = { type: "exponential", delay: options.retryDelayMs ?? 5_000 } as const;
  const jobsOfRun = (runId: string) => `${options.prefix}:preflight:jobs:${runId}`;
  const jobsOfChannel = (channel: string) => `${options.prefix}:preflight:channel:${channel}`;
  const nudgesOfStep = (runId: string, stepId: string) =>
    `${options.prefix}:preflight:nudges:${runId}:${stepId}`;
  const delayUntil = (iso: string) => Math.max(0, Date.parse(iso) - now().getTime());
  const index = createPendingIndex(options.redis, options.prefix);
  const reminderChannel = (reminder: ScheduledReminder) => reminder.runChannel ?? reminder.channel;

  const scheduler: Scheduler = {
    async scheduleReminder(reminder) {
      await options.redis.sadd(jobsOfRun(reminder.runId), reminder.key);
      await index.add(reminderChannel(reminder), {
        jobId: reminder.key,
        kind: "reminder",
        dueAt: reminder.dueAt,
        text: reminder.text,
      });
      await queue.add("reminder", reminder, {
        ...JOB_OPTIONS,
        backoff,
        jobId: reminder.key,
        delay: delayUntil(reminder.dueAt),
      });
    },

    async cancelReminders(runId, { keepOnAbort }) {
      for (const jobId of await options.redis.smembers(jobsOfRun(runId))) {
        const job = await queue.getJob(jobId);
        const reminder = scheduledReminderSchema.safeParse(job?.data).data;
        if (!job || (keepOnAbort && reminder?.keepOnAbort)) continue;
        if (await job.isDelayed()) await job.remove();
        if (reminder) await index.remove(reminderChannel(reminder), [jobId]);
        await options.redis.srem(jobsOfRun(runId), jobId);
      }
    },

    async scheduleOverrunNudges(runId, stepId, at) {
      for (const [index, dueAt] of at.entries()) {
        const nudge: OverrunNudge = { runId, stepId, level: index + 1, dueAt };
        const jobId = `${runId}.${stepId}.nudge${nudge.level}.${Date.parse(dueAt)}`;
        await options.redis.sadd(nudgesOfStep(runId, stepId), jobId);
        await queue.add("nudge", nudge, { ...JOB_OPTIONS, backoff, jobId, delay: delayUntil(dueAt) });
      }
    },

    async scheduleWindowCheck(runId, at) {
      const check: WindowCheck = { runId, dueAt: at };
      const jobId = `${runId}.window-check.${Date.parse(at)}`;
      await options.redis.sadd(jobsOfRun(runId), jobId);
      await queue.add("window_check", check, { ...JOB_OPTIONS, backoff, jobId, delay: delayUntil(at) });
    },

    async cancelOverrunNudges(runId, stepId) {
      const key = nudgesOfStep(runId, stepId);
      for (const jobId of await options.redis.smembers(key)) {
        const job = await queue.getJob(jobId);
        if (job && (await job.isDelayed())) await job.remove();
      }
      await options.redis.del(key);
    },
  };

  async function scheduleWindow(
    window: MaintenanceWindow,
    announceBeforeMs: readonly number[],
  ): Promise<void> {
    for (const { jobId, ...job } of windowJobs(window, announceBeforeMs, now())) {
      await options.redis.sadd(jobsOfChannel(window.channel), jobId);
      await index.add(window.channel, { jobId, kind: "window", dueAt: job.dueAt, text: window.id });
      await queue.add("window", job, { ...JOB_OPTIONS, backoff, jobId, delay: delayUntil(job.dueAt) });
    }
  }

  /** Removes a window's pending jobs; returns how many were removed. */
  async function cancelWindow(window: MaintenanceWindow): Promise<number> {
    let removed = 0;
    for (const jobId of await options.redis.smembers(jobsOfChannel(window.channel))) {
      if (!jobId.startsWith(`${window.id}.`)) continue;
      const job = await queue.getJob(jobId);
      if (job && (await job.isDelayed())) {
        await job.remove();
        removed += 1;
      }
      await options.redis.srem(jobsOfChannel(window.channel), jobId);
      await index.remove(window.channel, [jobId]);
    }
    return removed;
  }

  /**
   * What is still waiting for a channel, soonest first, from the channel's index: only jobs
   * already due (they may have run) are looked up; those gone or done leave the index.
   */
  async function pendingInChannel(channel: string): Promise<PendingJob[]> {
    await indexLegacy(channel);
    const listed = await index.list(channel);
    const dueBy = now().getTime();
    const gone: string[] = [];
    const pending: PendingJob[] = [];
    for (const job of listed) {
      if (Date.parse(job.dueAt) <= dueBy && !(await isDelayed(job.jobId))) gone.push(job.jobId);
      else pending.push(job);
    }
    await index.remove(channel, gone);
    return pending;
  }

  async function isDelayed(jobId: string): Promise<boolean> {
    const job = await queue.getJob(jobId);
    return job ? job.isDelayed() : false;
  }

  /**
   * Reminders scheduled before the index existed are listed in a plain set per channel (windows
   * still are, for `cancelWindow`): the pending ones join the index once.
   */
  async function indexLegacy(channel: string): Promise<void> {
    const marker = `${jobsOfChannel(channel)}:indexed`;
    if ((await options.redis.set(marker, "1", "NX")) !== "OK") return;
    for (const jobId of await options.redis.smembers(jobsOfChannel(channel))) {
      const job = await queue.getJob(jobId);
      if (!job || !(await job.isDelayed())) continue;
      const reminder = scheduledReminderSchema.safeParse(job.data);
      const windowJob = windowJobSchema.safeParse(job.data);
      if (job.name === "reminder" && reminder.success)
        await index.add(channel, {
          jobId,
          kind: "reminder",
          dueAt: reminder.data.dueAt,
          text: reminder.data.text,
        });
      else if (job.name === "window" && windowJob.success)
        await index.add(channel, {
          jobId,
          kind: "window",
          dueAt: windowJob.data.dueAt,
          text: windowJob.data.windowId,
        });
    }
  }

  /** Pending reminders of a run, soonest first (for `/maintenance reminders` and the summary). */
  async function pendingReminders(runId: string): Promise<ScheduledReminder[]> {
    const reminders: ScheduledReminder[] = [];
    for (const jobId of await options.redis.smembers(jobsOfRun(runId))) {
      const job = await queue.getJob(jobId);
      const parsed = scheduledReminderSchema.safeParse(job?.data);
      if (job && parsed.success && (await job.isDelayed())) reminders.push(parsed.data);
    }
    return reminders.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  }

  return {
    scheduler,
    queue,
    pendingReminders,
    scheduleWindow,
    cancelWindow,
    pendingInChannel,
    close: () => queue.close(),
  };
}

/** The worker that fires due jobs. Needs its own connection with maxRetriesPerRequest: null. */
export function startTimerWorker(options: {
  connection: Redis;
  /** Where the pending index lives (default `connection`; the bot's main one, without BullMQ's scripts). */
  indexConnection?: Redis;
  prefix: string;
  queueName?: string;
  handler: TimedJobHandler;
  log: Logger;
  /** Jobs carried out at once by this process. */
  concurrency?: number;
}): Worker {
  const handle = async (job: Job) => {
    if (job.name === "reminder") return options.handler.reminderDue(scheduledReminderSchema.parse(job.data));
    if (job.name === "nudge") return options.handler.nudgeDue(nudgeSchema.parse(job.data));
    if (job.name === "window") return options.handler.windowDue(windowJobSchema.parse(job.data));
    if (job.name === "window_check")
      return options.handler.windowCheckDue?.(windowCheckSchema.parse(job.data));
    throw new UnrecoverableError(`unknown job ${job.name}`);
  };
  const index = createPendingIndex(options.indexConnection ?? options.connection, options.prefix);
  /** A reminder that ran leaves its channel's pending index (windows leave it when listed). */
  const unindex = async (job: Job) => {
    const reminder = job.name === "reminder" ? scheduledReminderSchema.safeParse(job.data).data : undefined;
    if (reminder && job.id) await index.remove(reminder.runChannel ?? reminder.channel, [job.id]);
  };
  const processJob = async (job: Job) => {
    // A rate limit is Slack asking us to wait, not a failed attempt: wait and try again.
    for (let waits = 0; ; waits++) {
      try {
        const done = await handle(job);
        await unindex(job).catch(() => undefined);
        return done;
      } catch (error) {
        const failure = isPreflightError(error) ? error : undefined;
        if (failure?.retryAfterMs !== undefined && waits < MAX_RATE_LIMIT_WAITS) {
          await new Promise((resolve) => setTimeout(resolve, failure.retryAfterMs));
          continue;
        }
        // Retrying can't fix it: fail now, so it is recorded and told instead of tried 5 times.
        if (failure?.code === "slack_permanent" || error instanceof z.ZodError)
          throw new UnrecoverableError(failure?.platformCode ?? (error as Error).message);
        throw error;
      }
    }
  };
  const worker = new Worker(options.queueName ?? "preflight-timers", processJob, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? DEFAULT_TIMER_CONCURRENCY,
  });
  worker.on("failed", (job, error) => {
    if (!job) return;
    const finalAttempt = job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError;
    options.log.warn("timed job failed", {
      jobId: job.id,
      name: job.name,
      attempt: job.attemptsMade,
      error: error.message,
    });
    if (finalAttempt) {
      const kind: JobKind =
        job.name === "nudge" || job.name === "window" || job.name === "window_check" ? job.name : "reminder";
      void options.handler.jobFailed(kind, job.data, error.message).catch((recordError: unknown) =>
        options.log.error("could not record a failed job on its run", {
          jobId: job.id,
          error: String(recordError),
        }),
      );
    }
  });
  // During a Redis outage the worker fails every second: say each distinct error once a minute.
  worker.on("error", throttledErrorLog(options.log, "timer worker error"));
  return worker;
}
