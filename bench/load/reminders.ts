/**
 * Reminder lateness: `due` reminders due at the same instant among `pending` waiting ones. The due
 * ones are the runs' own: the benchmark's checklist gives every run reminders (`on: run.started`,
 * a day later), which the bot scheduled when the run started; the benchmark moves `due` of them
 * (two per run and channel, inside Slack's per-channel burst) to one instant, as a rescheduling
 * would, so each is posted and recorded on its run as in production. The rest of `pending` are
 * put straight into the queue, due a day later. Lateness is when chat.postMessage reached the Web
 * API double minus the due time.
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
  /** The first post's lateness: how long the queue took to notice the due time. */
  firstMs: number | undefined;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  maxMs: number | undefined;
  /** CPU the Preflight processes used from just before the due time until they went quiet, per reminder posted. */
  cpuMsPerReminder: number | undefined;
}

/** Every reminder of the benchmark's checklist says this. */
export const MARK = "Bench reminder";
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
  /** The runs whose own reminders become due (and to hang the pending ones on): id and channel. */
  runs: { runId: string; channel: string }[];
  /** Which of the checklist's reminders (ids) this round makes due: each reminder posts once. */
  reminderIds: readonly string[];
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
    // The runs' own reminders, as the bot scheduled them (job id = reminder key).
    const own: string[] = [];
    for (const run of runs) {
      const ids = await options.redis.smembers(`${options.prefix}bull:preflight:jobs:${run.runId}`);
      own.push(
        ...ids.filter((id) => options.reminderIds.some((reminderId) => id.includes(`.${reminderId}.`))),
      );
      if (own.length >= due) break;
    }
    if (own.length < due)
      throw new Error(`only ${own.length} of the runs' reminders are scheduled; ${due} were to be made due`);
    // All due at one instant, a little after they are all moved.
    const dueAt = new Date(Date.now() + 3_000 + due * 3);
    for (const jobId of own.slice(0, due)) {
      const scheduled = await queue.getJob(jobId);
      if (!scheduled) throw new Error(`the reminder job ${jobId} is not in the queue`);
      await scheduled.remove();
      await queue.add(
        "reminder",
        { ...scheduled.data, dueAt: dueAt.toISOString() },
        { ...scheduled.opts, jobId, delay: Math.max(0, dueAt.getTime() - Date.now()) },
      );
    }
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
      firstMs: lateness[0],
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
