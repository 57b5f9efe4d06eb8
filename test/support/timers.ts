import type { Job, Queue } from "bullmq";
import { expect } from "vitest";

/**
 * Timed jobs made due now instead of waited for: the jobs are the real ones in Redis, only their
 * delay is cut short (BullMQ's promote). Due times themselves are checked by the core tests.
 */

/** Waits until the delayed job `jobId` is scheduled, then makes it due now. */
export async function promoteWhenScheduled(queue: Queue, jobId: string): Promise<void> {
  await expect
    .poll(async () => (await (await queue.getJob(jobId))?.isDelayed()) ?? false, {
      timeout: 15_000,
      message: `job ${jobId} is scheduled`,
    })
    .toBe(true);
  await (await queue.getJob(jobId))?.promote();
}

/** Waits until `count` delayed jobs match `which`, then makes them due now. */
export async function promoteScheduled(queue: Queue, which: (job: Job) => boolean, count: number) {
  let jobs: Job[] = [];
  await expect
    .poll(
      async () => {
        jobs = (await queue.getDelayed()).filter(which);
        return jobs.length;
      },
      { timeout: 15_000, message: `${count} matching jobs are scheduled` },
    )
    .toBe(count);
  for (const job of jobs) await job.promote();
}

/** Makes every delayed job due now and waits until the workers have carried all of them out. */
export async function fireEverythingScheduled(queue: Queue): Promise<void> {
  await queue.promoteJobs();
  await expect
    .poll(
      async () => {
        const counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized");
        return Object.values(counts).reduce((sum, n) => sum + n, 0);
      },
      { timeout: 15_000, message: "every timed job was carried out" },
    )
    .toBe(0);
}
