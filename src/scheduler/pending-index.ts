import type { Redis } from "ioredis";
import { z } from "zod";
import type { PendingJob } from "../core/timed-jobs.js";

/**
 * What is pending per channel, for `/maintenance reminders`: a sorted set by due time and the
 * jobs' descriptions beside it, kept as jobs are scheduled and cancelled. Listing reads these
 * two keys instead of asking BullMQ about every job; only jobs already due (which may have run
 * by now) are checked against the queue.
 */

const pendingJobSchema = z.object({
  jobId: z.string(),
  kind: z.enum(["reminder", "nudge", "window"]),
  dueAt: z.string(),
  text: z.string(),
});

export function createPendingIndex(redis: Redis, base: string) {
  const byDue = (channel: string) => `${base}:preflight:pending:${channel}`;
  const details = (channel: string) => `${base}:preflight:pending:${channel}:jobs`;

  return {
    async add(channel: string, job: PendingJob): Promise<void> {
      await redis
        .multi()
        .zadd(byDue(channel), Date.parse(job.dueAt), job.jobId)
        .hset(details(channel), job.jobId, JSON.stringify(job))
        .exec();
    },

    async remove(channel: string, jobIds: readonly string[]): Promise<void> {
      if (jobIds.length === 0) return;
      await redis
        .multi()
        .zrem(byDue(channel), ...jobIds)
        .hdel(details(channel), ...jobIds)
        .exec();
    },

    /** Every indexed job of the channel, soonest first. */
    async list(channel: string): Promise<PendingJob[]> {
      const ids = await redis.zrange(byDue(channel), "0", "-1");
      if (ids.length === 0) return [];
      const values = await redis.hmget(details(channel), ...ids);
      const jobs: PendingJob[] = [];
      for (const value of values) {
        const parsed = value === null ? undefined : pendingJobSchema.safeParse(JSON.parse(value));
        if (parsed?.success) jobs.push(parsed.data);
      }
      return jobs;
    },
  };
}
