import type { Redis } from "ioredis";
import { z } from "zod";
import type { PendingJob } from "../core/timed-jobs.js";
import { scriptOf } from "../store/redis-scripts.js";

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

/** KEYS: 1 by due time, 2 details; ARGV: the job ids. Both in one step, as MULTI would. */
const UNINDEX = `
redis.call('ZREM', KEYS[1], unpack(ARGV))
return redis.call('HDEL', KEYS[2], unpack(ARGV))`;

export function createPendingIndex(redis: Redis, base: string) {
  const byDue = (channel: string) => `${base}:preflight:pending:${channel}`;
  const details = (channel: string) => `${base}:preflight:pending:${channel}:jobs`;
  // A script rather than MULTI: every reminder that runs leaves the index, and a MULTI is a write
  // of its own, where a script call joins the other commands of its tick (auto-pipelining).
  const unindex = scriptOf<number>(redis, 2, UNINDEX);

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
      // Lua unpacks at most a few thousand arguments at once.
      for (let start = 0; start < jobIds.length; start += 1_000)
        await unindex(byDue(channel), details(channel), ...jobIds.slice(start, start + 1_000));
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
