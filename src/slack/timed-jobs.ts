import type { WebClient } from "@slack/web-api";
import { formatDuration, formatDurationRange, parseDurationRange } from "../core/duration.js";
import type { Logger, MessageRefs, RunStore } from "../core/ports.js";
import type { ScheduledReminder } from "../core/run/run-schema.js";
import { findStep } from "../core/run/step-rules.js";
import type { OverrunNudge, TimedJobHandler } from "../scheduler/bullmq-scheduler.js";
import { escapeMrkdwn, mention } from "./render/mrkdwn.js";
import type { ThreadPoster } from "./thread-poster.js";

/** What a due reminder or nudge looks like in Slack. Errors propagate so BullMQ retries. */
export function createTimedJobHandler(deps: {
  client: WebClient;
  store: RunStore;
  refs: MessageRefs;
  thread: ThreadPoster;
  log: Logger;
  now?: () => Date;
}): TimedJobHandler {
  const now = deps.now ?? (() => new Date());

  async function reminderDue(reminder: ScheduledReminder): Promise<void> {
    const ref = await deps.refs.get(reminder.runId);
    const link = ref ? await permalink(ref.channel, ref.ts) : undefined;
    const text = `⏰ *Reminder:* ${escapeMrkdwn(reminder.text)}${link ? `\n<${link}|From run ${reminder.runId}>` : ` (run ${reminder.runId})`}`;
    await deps.client.chat.postMessage({ channel: reminder.channel, text, unfurl_links: false });
  }

  async function nudgeDue(nudge: OverrunNudge): Promise<void> {
    const run = await deps.store.get(nudge.runId);
    const located = run ? findStep(run, nudge.stepId) : undefined;
    // The step moved on (or was restarted) since the nudge was scheduled: nothing to say.
    if (!run || !located || run.status !== "active" || located.state.status !== "running") return;
    if (!located.state.startedAt || Date.parse(located.state.startedAt) > Date.parse(nudge.dueAt)) return;
    const range = located.plan.duration ? parseDurationRange(located.plan.duration) : undefined;
    const running = formatDuration(now().getTime() - Date.parse(located.state.startedAt));
    const expected = range ? ` (expected ${formatDurationRange(range)})` : "";
    const how = nudge.level > 1 ? "twice its expected maximum" : "its expected maximum";
    deps.thread.post(
      run.id,
      `⏰ ${mention(run.owner)} *${escapeMrkdwn(located.plan.title)}* has been running for ${running}, past ${how}${expected}. Still going? Add a note or report a problem.`,
    );
  }

  async function jobFailed(kind: "reminder" | "nudge", data: unknown, error: string): Promise<void> {
    const runId = typeof data === "object" && data !== null ? (data as { runId?: unknown }).runId : undefined;
    deps.log.error(`a ${kind} could not be posted after every retry`, { runId, error });
    if (typeof runId === "string") {
      const what =
        kind === "reminder" ? `the reminder "${(data as { text?: string }).text ?? ""}"` : "an overrun nudge";
      deps.thread.post(
        runId,
        `⚠️ Preflight could not post ${escapeMrkdwn(what)} (${escapeMrkdwn(error)}). Please do it by hand.`,
      );
    }
  }

  async function permalink(channel: string, ts: string): Promise<string | undefined> {
    try {
      return (await deps.client.chat.getPermalink({ channel, message_ts: ts })).permalink;
    } catch (error) {
      deps.log.warn("no permalink for a reminder", { channel, error: String(error) });
      return undefined;
    }
  }

  return { reminderDue, nudgeDue, jobFailed };
}
