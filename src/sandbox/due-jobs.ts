import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";

/**
 * After the sandbox clock jumps, BullMQ still waits the real delay of each job. Every timed job
 * of Preflight carries its `dueAt`: those the sandbox clock has passed are promoted to run now.
 */

const TIMER_QUEUE = "preflight-timers";
const dueSchema = z.object({ dueAt: z.iso.datetime() });

export function createDueJobPromoter(options: { redis: Redis; prefix: string; now: () => Date }) {
  const queue = new Queue(TIMER_QUEUE, { connection: options.redis, prefix: options.prefix });

  /** Promotes every delayed job due by the sandbox clock; returns how many. */
  async function promoteDue(): Promise<number> {
    const now = options.now().getTime();
    let promoted = 0;
    for (const job of await queue.getDelayed()) {
      const due = dueSchema.safeParse(job.data);
      if (!due.success || Date.parse(due.data.dueAt) > now) continue;
      try {
        await job.promote();
        promoted += 1;
      } catch (error) {
        // Promoted or removed meanwhile (its real delay ran out, a run moved on): nothing to do.
        if (await job.isDelayed()) throw error;
      }
    }
    return promoted;
  }

  return { promoteDue, close: () => queue.close() };
}
