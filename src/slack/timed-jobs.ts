import type { WebClient } from "@slack/web-api";
import { formatDuration, formatDurationRange, parseDurationRange } from "../core/duration.js";
import { type Logger, type MessageRefs, type Metrics, noMetrics, type WindowStore } from "../core/ports.js";
import { OVERRUN_UPDATE_EVERY_MS, overrunUpdateDue } from "../core/run/communications.js";
import { openPause, pausedMsBetween } from "../core/run/paused-time.js";
import { markRehearsal } from "../core/run/rehearsal.js";
import { PREFLIGHT_USER, type Run, reminderOf, type ScheduledReminder } from "../core/run/run-schema.js";
import { findStep } from "../core/run/step-rules.js";
import type { JobKind, OverrunNudge, TimedJobHandler, WindowCheck } from "../core/timed-jobs.js";
import type { WindowJob } from "../core/window.js";
import type { RunService } from "../service/run-service.js";
import { linkOf } from "./permalink.js";
import { doneWithCommit, postOnce } from "./post-once.js";
import { escapeMrkdwn, mention } from "./render/mrkdwn.js";
import { reminderMessage, windowReminder, windowStartMessage } from "./render/timer-messages.js";

/** What due reminders, nudges and window jobs look like in Slack. Errors propagate so BullMQ retries. */
export function createTimedJobHandler(deps: {
  client: WebClient;
  /** Runs are read, and what was posted (or could not be) is recorded, through the engine. */
  runs: Pick<RunService, "get" | "act" | "ledger">;
  refs: MessageRefs;
  windows: WindowStore;
  log: Logger;
  now?: () => Date;
  /** The next look at a run's projected end (the scheduler's). */
  scheduleWindowCheck?: (runId: string, at: string) => Promise<void>;
  /** Reminders posted and their lateness, step overruns (noMetrics when absent). */
  metrics?: Metrics;
  /** Waits for the channel's turn (~1 post/s per channel, shared by every process). */
  pace?: (channel: string) => Promise<void>;
}): TimedJobHandler {
  const now = deps.now ?? (() => new Date());
  const metrics = deps.metrics ?? noMetrics;

  async function reminderDue(reminder: ScheduledReminder): Promise<void> {
    // A rehearsal posts nowhere but its own thread, whose channel the reads tell; otherwise the
    // channel's turn is taken with the reads, in their round trip. (A reminder that then turns
    // out to be posted or cancelled spent a turn of its channel's pace: rare, and only a delay.)
    const known = reminder.dryRun ? undefined : reminder.channel;
    // Independent reads, sent together: the run, its message's place, what was posted.
    const [run, ref, records] = await Promise.all([
      deps.runs.get(reminder.runId),
      deps.refs.get(reminder.runId),
      deps.runs.ledger(reminder.runId, [`reminder.${reminder.key}`]),
      known ? deps.pace?.(known) : undefined,
    ]);
    const state = run ? reminderOf(run, reminder.key) : undefined;
    // Posted before a retry of this job, cancelled by an abort, or already handled: nothing to post.
    if (state?.posted || state?.cancelledAt || state?.handled) return;
    const link = ref ? await linkOf(deps.client, deps.log, ref) : undefined;
    const message = reminderMessage(reminder, link);
    // Once, even when an attempt's answer was lost and BullMQ runs the job again. "Done" is
    // written with the commit that records the post.
    const marks = doneWithCommit(records);
    const ledger = marks.ledger;
    const channel = reminder.dryRun && ref ? ref.channel : reminder.channel;
    if (!known) await deps.pace?.(channel);
    const ts = await postOnce(
      deps.client,
      ledger,
      {
        channel,
        ...(reminder.dryRun && ref ? { threadTs: ref.ts } : {}),
        text: message.text,
        blocks: message.blocks,
        effectIds: [`reminder.${reminder.key}`],
      },
      now,
    );
    if (!ts) return marks.flush();
    const posted = { ts, channel: ledger.get(`reminder.${reminder.key}`)?.channel };
    const { result } = await deps.runs
      .act(
        reminder.runId,
        {
          type: "reminder_posted",
          key: reminder.key,
          channel: posted.channel ?? reminder.channel,
          ts: posted.ts,
          by: PREFLIGHT_USER,
        },
        `reminder.${reminder.key}.posted`,
        marks.done,
      )
      .catch(async (error: unknown) => {
        await marks.flush().catch(() => undefined);
        throw error;
      });
    // Only an applied or refused commit wrote the marks.
    if (result.status !== "applied" && result.status !== "refused") await marks.flush();
    if (result.status === "applied")
      metrics.reminderPosted((now().getTime() - Date.parse(reminder.dueAt)) / 1_000);
    if (result.status === "refused" || result.status === "not_found")
      deps.log.warn("a posted reminder was not recorded on its run", {
        runId: reminder.runId,
        key: reminder.key,
        reason: result.status === "refused" ? result.refusal.message : "no such run",
      });
  }

  async function nudgeDue(nudge: OverrunNudge): Promise<void> {
    const run = await deps.runs.get(nudge.runId);
    const located = run ? findStep(run, nudge.stepId) : undefined;
    // The step moved on (or was restarted) since the nudge was scheduled: nothing to say.
    if (!run || !located || run.status !== "active" || located.state.status !== "running") return;
    // A paused run is not overrunning: its nudges come back, moved on, when it resumes (paused-time.ts).
    if (openPause(run)) return;
    if (!located.state.startedAt || Date.parse(located.state.startedAt) > Date.parse(nudge.dueAt)) return;
    const range = located.plan.duration ? parseDurationRange(located.plan.duration) : undefined;
    const startedMs = Date.parse(located.state.startedAt);
    const running = formatDuration(
      now().getTime() - startedMs - pausedMsBetween(run, startedMs, now().getTime()),
    );
    const expected = range ? ` (expected ${formatDurationRange(range)})` : "";
    const how = nudge.level > 1 ? "twice its expected maximum" : "its expected maximum";
    await announceOverrunIfDue(run, `overrun.${nudge.stepId}.${nudge.level}.${nudge.dueAt}`);
    const ref = await deps.refs.get(run.id);
    if (!ref) return;
    await deps.pace?.(ref.channel);
    const nudgeId = `nudge.${nudge.stepId}.${nudge.level}.${nudge.dueAt}`;
    const posted = await postOnce(
      deps.client,
      await deps.runs.ledger(run.id, [nudgeId]),
      {
        channel: ref.channel,
        threadTs: ref.ts,
        text: markRehearsal(
          run,
          `⏰ ${mention(run.owner)} *${escapeMrkdwn(located.plan.title)}* has been running for ${running}, past ${how}${expected}. Still going? Add a note or report a problem.`,
        ),
        effectIds: [nudgeId],
      },
      now,
    );
    // The first nudge says a step overran; the second is about the same overrun.
    if (posted && nudge.level === 1) metrics.stepOverrun();
  }

  /** A step ran past its expected maximum: the engine decides whether stakeholders hear a new estimate. */
  async function announceOverrunIfDue(run: Run, eventId: string): Promise<void> {
    if (!overrunUpdateDue(run, now())) return;
    const { result, effectsDone } = await deps.runs.act(
      run.id,
      { type: "announce_overrun", by: PREFLIGHT_USER },
      eventId,
    );
    if (result.status === "refused")
      deps.log.info("no overrun update was due", { runId: run.id, reason: result.refusal.message });
    await effectsDone;
  }

  /**
   * From the planned end on, every 15 minutes while the run is open: stakeholders hear a new
   * estimate even when nobody touches the run. The next look is a job with a deterministic id.
   */
  async function windowCheckDue(check: WindowCheck): Promise<void> {
    const run = await deps.runs.get(check.runId);
    if (run?.status !== "active") return;
    await announceOverrunIfDue(run, `window-check.${check.dueAt}`);
    const next = new Date(Date.parse(check.dueAt) + OVERRUN_UPDATE_EVERY_MS).toISOString();
    await deps.scheduleWindowCheck?.(run.id, next);
  }

  async function windowDue(job: WindowJob): Promise<void> {
    const window = await deps.windows.get(job.windowId);
    if (window?.status !== "scheduled") return;
    const announceId = `window.${window.id}.announce.${job.beforeMs}`;
    const startId = `window.${window.id}.start`;
    const ledger = await deps.runs.ledger(`window.${window.id}`, [
      job.kind === "announce" ? announceId : startId,
    ]);
    await deps.pace?.(window.channel);
    if (job.kind === "announce") {
      await postOnce(
        deps.client,
        ledger,
        {
          channel: window.channel,
          text: windowReminder(window, job.beforeMs),
          effectIds: [announceId],
        },
        now,
      );
      return;
    }
    const message = windowStartMessage(window);
    await postOnce(
      deps.client,
      ledger,
      {
        channel: window.channel,
        text: message.text,
        blocks: message.blocks,
        effectIds: [startId],
      },
      now,
    );
  }

  async function jobFailed(kind: JobKind, data: unknown, error: string): Promise<void> {
    const fields =
      typeof data === "object" && data !== null
        ? (data as {
            runId?: unknown;
            text?: unknown;
            key?: unknown;
            stepId?: unknown;
            level?: unknown;
            dueAt?: unknown;
          })
        : {};
    const runId = typeof fields.runId === "string" ? fields.runId : undefined;
    deps.log.error(`a ${kind} could not be posted after every retry`, { runId, error, data });
    if (!runId) return;
    const what =
      kind === "reminder"
        ? `the reminder "${String(fields.text)}"`
        : kind === "window_check"
          ? "a stakeholder update on the overrun"
          : "an overrun nudge";
    const job =
      typeof fields.key === "string"
        ? fields.key
        : kind === "window_check"
          ? `window-check.${String(fields.dueAt)}`
          : `${String(fields.stepId)}.${String(fields.level)}`;
    // The engine keeps it on the run and says it in the run's thread.
    const { result, effectsDone } = await deps.runs.act(
      runId,
      { type: "post_failed", what, error, by: PREFLIGHT_USER },
      `failed.${kind}.${job}`,
    );
    if (result.status === "refused" || result.status === "not_found")
      deps.log.warn("a failed post was not recorded on its run", { runId, what });
    await effectsDone;
  }

  return { reminderDue, nudgeDue, windowDue, windowCheckDue, jobFailed };
}
