import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ScheduledReminder } from "../../src/core/run/run-schema.js";
import { createBullmqScheduler, type TimerQueue } from "../../src/scheduler/bullmq-scheduler.js";
import { isolatedRedis } from "../support/redis.js";

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
});
