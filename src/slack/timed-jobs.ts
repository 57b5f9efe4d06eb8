import type { WebClient } from "@slack/web-api";
import { formatDuration, formatDurationRange, parseDurationRange } from "../core/duration.js";
import type { Logger, MessageRefs, RunStore, WindowStore } from "../core/ports.js";
import { markRehearsal } from "../core/run/rehearsal.js";
import type { ScheduledReminder } from "../core/run/run-schema.js";
import { findStep } from "../core/run/step-rules.js";
import type { WindowJob } from "../core/window.js";
import type { JobKind, OverrunNudge, TimedJobHandler } from "../scheduler/bullmq-scheduler.js";
import { permalinkOf } from "./permalink.js";
import { escapeMrkdwn, mention } from "./render/mrkdwn.js";
import { reminderMessage, windowReminder, windowStartMessage } from "./render/timer-messages.js";
import type { ThreadPoster } from "./thread-poster.js";

/** What due reminders, nudges and window jobs look like in Slack. Errors propagate so BullMQ retries. */
export function createTimedJobHandler(deps: {
  client: WebClient;
  store: RunStore;
  refs: MessageRefs;
  windows: WindowStore;
  thread: ThreadPoster;
  log: Logger;
  now?: () => Date;
}): TimedJobHandler {
  const now = deps.now ?? (() => new Date());

  async function reminderDue(reminder: ScheduledReminder): Promise<void> {
    const ref = await deps.refs.get(reminder.runId);
    const link = ref ? await permalinkOf(deps.client, deps.log, ref.channel, ref.ts) : undefined;
    const message = reminderMessage(reminder, link);
    // A rehearsal posts nowhere but its own thread.
    const inThread = reminder.dryRun && ref ? { channel: ref.channel, thread_ts: ref.ts } : {};
    await deps.client.chat.postMessage({
      channel: reminder.channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      ...inThread,
    });
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
      markRehearsal(
        run,
        `⏰ ${mention(run.owner)} *${escapeMrkdwn(located.plan.title)}* has been running for ${running}, past ${how}${expected}. Still going? Add a note or report a problem.`,
      ),
    );
  }

  async function windowDue(job: WindowJob): Promise<void> {
    const window = await deps.windows.get(job.windowId);
    if (window?.status !== "scheduled") return;
    if (job.kind === "announce") {
      await deps.client.chat.postMessage({
        channel: window.channel,
        text: windowReminder(window, job.beforeMs),
      });
      return;
    }
    const message = windowStartMessage(window);
    await deps.client.chat.postMessage({
      channel: window.channel,
      text: message.text,
      blocks: message.blocks,
    });
  }

  async function jobFailed(kind: JobKind, data: unknown, error: string): Promise<void> {
    const fields =
      typeof data === "object" && data !== null
        ? (data as { runId?: unknown; text?: unknown; key?: unknown })
        : {};
    const runId = typeof fields.runId === "string" ? fields.runId : undefined;
    deps.log.error(`a ${kind} could not be posted after every retry`, { runId, error, data });
    if (!runId) return;
    const what = kind === "reminder" ? `the reminder "${String(fields.text)}"` : `an overrun nudge`;
    await deps.store.record(runId, {
      at: now().toISOString(),
      by: "preflight",
      type: `${kind}_failed`,
      eventId: `failed.${kind}.${String(fields.key ?? now().getTime())}`,
      accepted: true,
      detail: `${what} could not be posted: ${error}`,
      version: -1,
    });
    deps.thread.post(
      runId,
      `⚠️ Preflight could not post ${escapeMrkdwn(what)} (${escapeMrkdwn(error)}). Please do it by hand.`,
    );
  }

  return { reminderDue, nudgeDue, windowDue, jobFailed };
}
