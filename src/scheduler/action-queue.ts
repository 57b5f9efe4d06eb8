import { type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { ActionRunner, Logger } from "../core/ports.js";
import { type ActionJob, actionJobSchema } from "../core/timed-jobs.js";
import { throttledErrorLog } from "./throttled-log.js";

/**
 * Automated actions as BullMQ jobs: a bot that dies while waiting for RDS leaves the job in
 * Redis, and another process (or the restarted one) picks it up after the stall interval.
 */

const QUEUE = "preflight-actions";

export function createActionQueue(options: { redis: Redis; prefix: string }) {
  const queue = new Queue(QUEUE, { connection: options.redis, prefix: options.prefix });
  // Connection errors: the bot's Redis connection logs an outage once; callers see the failure.
  queue.on("error", () => undefined);
  const runner: ActionRunner = {
    async run({ runId, stepId, action, dryRun, jobKey }) {
      // The job id names this start of the step: enqueuing it twice runs it once.
      const jobId = jobKey;
      const job: ActionJob = { jobId, runId, stepId, action, dryRun };
      await queue.add("action", job, {
        jobId,
        attempts: 3,
        backoff: { type: "exponential", delay: 2_000 },
        removeOnComplete: { age: 7 * 86_400 },
        removeOnFail: false,
      });
    },
  };
  return { runner, queue, close: () => queue.close() };
}

export function startActionWorker(options: {
  connection: Redis;
  prefix: string;
  execute: (job: ActionJob) => Promise<void>;
  log: Logger;
}): Worker {
  const worker = new Worker(QUEUE, (job: Job) => options.execute(actionJobSchema.parse(job.data)), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: 8,
  });
  worker.on("failed", (job, error) =>
    options.log.error("automated action job failed", {
      jobId: job?.id,
      attempt: job?.attemptsMade,
      error: error.message,
    }),
  );
  // During a Redis outage the worker fails every second: say each distinct error once a minute.
  worker.on("error", throttledErrorLog(options.log, "action worker error"));
  return worker;
}
