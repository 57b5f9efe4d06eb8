/**
 * Reminder lateness: `due` reminders due at the same instant among `pending` waiting ones (the
 * rest due a day later), put straight into the bot's BullMQ queue as its scheduler would, spread
 * over the benchmark's runs and channels (two or so per channel, inside Slack's per-channel
 * burst). Lateness is when chat.postMessage reached the Web API double minus the due time.
 */
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { SlackApiDouble } from "../../src/sandbox/slack-api.js";

export interface ReminderLateness {
  pending: number;
  due: number;
  posted: number;
  /** Seconds it took to put the pending jobs into the queue (not part of the lateness). */
  enqueueSeconds: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  maxMs: number | undefined;
  /** CPU the Preflight processes used from just before the due time until they went quiet, per reminder posted. */
  cpuMsPerReminder: number | undefined;
}

const MARK = "Bench reminder";
/** The queue and prefix the bot's scheduler uses (bullmq-scheduler.ts, bot.ts). */
const QUEUE = "preflight-timers";
const CHUNK = 1_000;

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? undefined
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export async function reminderLateness(options: {
  api: SlackApiDouble;
  redis: Redis;
  /** The bot's REDIS_PREFIX. */
  prefix: string;
  /** Runs to hang reminders on: their id and channel. */
  runs: { runId: string; channel: string }[];
  pending: number;
  due: number;
  /** How long to wait for the due ones after their time (ms). */
  capMs?: number;
  /** Names this round's reminders: a reminder posted once is never posted again, so each round needs its own. */
  round?: number;
  /** CPU ms the Preflight processes have used so far (from /proc). */
  cpuMs?: () => number | undefined;
}): Promise<ReminderLateness> {
  const { api, runs, pending, due } = options;
  const queue = new Queue(QUEUE, { connection: options.redis, prefix: `${options.prefix}bull` });
  queue.on("error", () => undefined);
  try {
    const job = (i: number, dueAt: Date) => {
      const run = runs[i % runs.length] as { runId: string; channel: string };
      const reminderId = `bench-reminder-${options.round ?? 1}`;
      const key = `${run.runId}.${reminderId}.${i}`;
      return {
        name: "reminder",
        data: {
          key,
          runId: run.runId,
          reminderId,
          occurrence: i,
          dueAt: dueAt.toISOString(),
          channel: run.channel,
          runChannel: run.channel,
          text: `${MARK} ${i}`,
          keepOnAbort: false,
        },
        opts: { jobId: key, delay: Math.max(0, dueAt.getTime() - Date.now()), removeOnComplete: true },
      };
    };
    const began = Date.now();
    const later = new Date(Date.now() + 86_400_000);
    for (let start = due; start < pending; start += CHUNK) {
      const size = Math.min(CHUNK, pending - start);
      await queue.addBulk(Array.from({ length: size }, (_, k) => job(start + k, later)));
    }
    const enqueueSeconds = (Date.now() - began) / 1000;
    // All due at one instant, a little after they are all in the queue.
    const dueAt = new Date(Date.now() + 3_000 + due * 2);
    for (let start = 0; start < due; start += CHUNK)
      await queue.addBulk(
        Array.from({ length: Math.min(CHUNK, due - start) }, (_, k) => job(start + k, dueAt)),
      );
    while (Date.now() < dueAt.getTime() - 200) await new Promise((resolve) => setTimeout(resolve, 50));
    const cpuBefore = options.cpuMs?.();
    const waitUntil = dueAt.getTime() + (options.capMs ?? 60_000);
    const posts = () =>
      api.callsTo("chat.postMessage").filter((c) => String(c.args.text ?? "").includes(MARK));
    while (Date.now() < waitUntil && posts().length < due)
      await new Promise((resolve) => setTimeout(resolve, 100));
    // Each post is followed by its commit: let the processes go quiet before reading their CPU.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cpuAfter = options.cpuMs?.();
    const lateness = posts()
      .map((c) => c.at - dueAt.getTime())
      .sort((a, b) => a - b);
    return {
      pending,
      due,
      posted: lateness.length,
      enqueueSeconds: Math.round(enqueueSeconds * 10) / 10,
      p50Ms: percentile(lateness, 50),
      p99Ms: percentile(lateness, 99),
      maxMs: lateness.at(-1),
      cpuMsPerReminder:
        cpuBefore === undefined || cpuAfter === undefined || lateness.length === 0
          ? undefined
          : Math.round(((cpuAfter - cpuBefore) / lateness.length) * 100) / 100,
    };
  } finally {
    await queue.close().catch(() => undefined);
  }
}
