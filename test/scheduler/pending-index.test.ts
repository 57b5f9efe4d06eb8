import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ScheduledReminder } from "../../src/core/run/run-schema.js";
import { createBullmqScheduler, type TimerQueue } from "../../src/scheduler/bullmq-scheduler.js";
import { createPendingIndex } from "../../src/scheduler/pending-index.js";
import { countSocketWrites, isolatedRedis, REDIS_URL } from "../support/redis.js";

/** `/maintenance reminders` lists a channel's pending jobs from an index, whatever their number. */

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const CHANNEL = "COPS";
const PENDING = 500;

let env: Awaited<ReturnType<typeof isolatedRedis>>;
let timers: TimerQueue;

beforeEach(async () => {
  env = await isolatedRedis();
  timers = createBullmqScheduler({ redis: env.redis, prefix: `${env.prefix}bull`, log: quiet });
});
afterEach(async () => {
  await timers.close();
  await env.cleanup();
});

function reminder(i: number, runId = `run-${i}`): ScheduledReminder {
  return {
    key: `${runId}.check.${i}`,
    runId,
    reminderId: "check",
    occurrence: i,
    dueAt: new Date(Date.now() + 86_400_000 + (PENDING - i) * 60_000).toISOString(),
    channel: CHANNEL,
    text: `Check the graphs ${i}`,
    keepOnAbort: false,
  };
}

/** Commands the scheduler's connection sends while `work` runs. */
async function commandsDuring(work: () => Promise<unknown>): Promise<number> {
  const connection = env.redis as unknown as { sendCommand: (...args: unknown[]) => unknown };
  const original = connection.sendCommand;
  let count = 0;
  connection.sendCommand = function (this: unknown, ...args: unknown[]) {
    count += 1;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    connection.sendCommand = original;
  }
  return count;
}

describe("pending jobs of a channel", () => {
  it(`lists ${PENDING} pending reminders soonest first with a handful of Redis commands`, async () => {
    for (let i = 0; i < PENDING; i++) await timers.scheduler.scheduleReminder(reminder(i));
    let listed: Awaited<ReturnType<TimerQueue["pendingInChannel"]>> = [];
    const commands = await commandsDuring(async () => {
      listed = await timers.pendingInChannel(CHANNEL);
    });
    expect(listed).toHaveLength(PENDING);
    expect(listed[0]?.text).toBe(`Check the graphs ${PENDING - 1}`);
    expect(listed.at(-1)?.text).toBe("Check the graphs 0");
    expect(commands).toBeLessThan(10);
  });

  it("a cancelled reminder leaves the list", async () => {
    await timers.scheduler.scheduleReminder(reminder(1, "run-a"));
    await timers.scheduler.scheduleReminder(reminder(2, "run-b"));
    await timers.scheduler.cancelReminders("run-a", { keepOnAbort: false });
    expect((await timers.pendingInChannel(CHANNEL)).map((job) => job.text)).toEqual(["Check the graphs 2"]);
  });

  it("jobs that ran leave the index together with the other commands of their tick, thousands at once too", async () => {
    const pipelined = new Redis(REDIS_URL, { enableAutoPipelining: true, maxRetriesPerRequest: 1 });
    try {
      await pipelined.ping();
      const index = createPendingIndex(pipelined, `${env.prefix}bull`);
      const job = (i: number) => ({
        jobId: `job-${i}`,
        kind: "reminder" as const,
        dueAt: new Date(Date.now() + i * 1_000).toISOString(),
        text: `Job ${i}`,
      });
      for (let i = 0; i < 2_500; i++) await index.add(CHANNEL, job(i));

      const writes = countSocketWrites(pipelined);
      // Forty reminders finish in the same tick: their index entries go in one write, not forty.
      await Promise.all(Array.from({ length: 40 }, (_, i) => index.remove(CHANNEL, [`job-${i}`])));
      expect(writes()).toBeLessThanOrEqual(2);
      expect((await index.list(CHANNEL)).map((listed) => listed.jobId)).not.toContain("job-0");

      await index.remove(
        CHANNEL,
        Array.from({ length: 2_400 }, (_, i) => `job-${i + 40}`),
      );
      expect((await index.list(CHANNEL)).map((listed) => listed.text)).toEqual(
        Array.from({ length: 60 }, (_, i) => `Job ${i + 2_440}`),
      );
      expect(await pipelined.hlen(`${env.prefix}bull:preflight:pending:${CHANNEL}:jobs`)).toBe(60);
    } finally {
      pipelined.disconnect();
    }
  });
});
