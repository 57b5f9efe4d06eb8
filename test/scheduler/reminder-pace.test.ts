import { WebClient } from "@slack/web-api";
import type { Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EffectRecord } from "../../src/core/ports.js";
import type { ScheduledReminder } from "../../src/core/run/run-schema.js";
import {
  createBullmqScheduler,
  startTimerWorker,
  type TimerQueue,
} from "../../src/scheduler/bullmq-scheduler.js";
import { createChannelPace } from "../../src/scheduler/channel-pace.js";
import { classifiedJobs } from "../../src/slack/classified-jobs.js";
import { createTimedJobHandler } from "../../src/slack/timed-jobs.js";
import { isolatedRedis, REDIS_URL } from "../support/redis.js";
import { type SlackApiDouble, startSlackApiDouble } from "../support/slack-api-double.js";

/**
 * A burst of reminders into one channel that Slack paces (the double answers 429 beyond its
 * per-channel pace, as Slack does): every one is posted, none fails. The pace is scaled up
 * (50/s instead of ~1/s, its bursts with it) so the test takes seconds; the shape of the problem
 * is the same.
 */

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const CHANNEL = "CBUSINESS";
const COUNT = 100;

let env: Awaited<ReturnType<typeof isolatedRedis>>;
let slack: SlackApiDouble;
let timers: TimerQueue;
let worker: Worker | undefined;
let workerConnection: Redis;

beforeEach(async () => {
  env = await isolatedRedis();
  slack = await startSlackApiDouble({ channelPace: { perSecond: 50, burst: 10 } });
  timers = createBullmqScheduler({ redis: env.redis, prefix: `${env.prefix}bull`, log: quiet });
  workerConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
});
afterEach(async () => {
  await worker?.close();
  await timers.close();
  await workerConnection.quit();
  await slack.close();
  await env.cleanup();
});

function reminder(i: number): ScheduledReminder {
  return {
    key: `run-${i}.tell.0`,
    runId: `run-${i}`,
    reminderId: "tell",
    occurrence: 0,
    dueAt: new Date().toISOString(),
    channel: CHANNEL,
    text: `Tell the business about run ${i}`,
    keepOnAbort: false,
  };
}

async function postBurst(pace: { perSecond: number; burst: number }) {
  const failed: string[] = [];
  const records = new Map<string, Record<string, EffectRecord>>();
  const handler = createTimedJobHandler({
    client: new WebClient("xoxb-test", {
      slackApiUrl: slack.url,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    }),
    runs: {
      get: async () => undefined,
      act: async () => ({ result: { status: "not_found" }, effectsDone: Promise.resolve() }),
      ledger: async (scope) => {
        const own = records.get(scope) ?? {};
        records.set(scope, own);
        return {
          get: (id) => own[id],
          mark: async (id, record) => {
            own[id] = record;
          },
        };
      },
    },
    refs: { get: async () => undefined, save: async () => {}, runOfThread: async () => undefined },
    windows: { get: async () => undefined, save: async () => {}, claim: async () => undefined },
    log: quiet,
    pace: createChannelPace(env.redis, env.prefix, pace),
  });
  worker = startTimerWorker({
    connection: workerConnection,
    prefix: `${env.prefix}bull`,
    handler: classifiedJobs({
      ...handler,
      jobFailed: async (_kind, data) => void failed.push(JSON.stringify(data)),
    }),
    log: quiet,
    concurrency: 50,
  });
  await Promise.all(Array.from({ length: COUNT }, (_, i) => timers.scheduler.scheduleReminder(reminder(i))));
  await slack.waitFor(() => slack.messages(CHANNEL).length >= COUNT || undefined, 30_000);
  return { failed };
}

describe("reminders into a channel Slack paces", () => {
  it(`${COUNT} reminders due at once in one channel: all ${COUNT} posted, none failed, and paced so Slack refused none`, async () => {
    // A little under Slack's pace, as configured in production (1/s against Slack's ~1/s + bursts).
    const { failed } = await postBurst({ perSecond: 30, burst: 2 });
    expect(slack.messages(CHANNEL)).toHaveLength(COUNT);
    expect(failed).toEqual([]);
    expect(await timers.queue.getFailedCount()).toBe(0);
    const refused = slack.calls.filter((call) => call.method === "chat.postMessage" && call.status === 429);
    expect(refused).toHaveLength(0);
  }, 40_000);

  it("when Slack refuses anyway (429), the post waits its Retry-After and is not counted as a failed attempt", async () => {
    // The limiter twice as fast as Slack: Slack answers 429 for many posts.
    const { failed } = await postBurst({ perSecond: 100, burst: 20 });
    expect(slack.messages(CHANNEL)).toHaveLength(COUNT);
    expect(failed).toEqual([]);
    expect(await timers.queue.getFailedCount()).toBe(0);
    const refused = slack.calls.filter((call) => call.method === "chat.postMessage" && call.status === 429);
    expect(refused.length).toBeGreaterThan(0);
  }, 40_000);
});
