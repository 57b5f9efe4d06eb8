import type { WebClient } from "@slack/web-api";
import type { Logger, MessageRefs, RunStore } from "../core/ports.js";
import type { ScheduledReminder } from "../core/run/run-schema.js";
import { buildSummary, needsFollowUps } from "../core/summary.js";
import { summaryMarkdown } from "../render/summary-markdown.js";
import { summaryMessage } from "./render/summary-message.js";
import { describeSlackError } from "./slack-errors.js";

/**
 * The post-mortem in the run's thread: a message with the headline figures and the exceptions,
 * and the whole summary as a Markdown file (Slack's upload v2: files.getUploadURLExternal, the
 * upload, files.completeUploadExternal — what WebClient.files.uploadV2 does).
 */
export function createSummaryPoster(deps: {
  client: WebClient;
  store: RunStore;
  refs: MessageRefs;
  pendingReminders: (runId: string) => Promise<ScheduledReminder[]>;
  log: Logger;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  /** Builds the summary from what is stored now; undefined when the run does not exist. */
  async function summaryOf(runId: string) {
    const run = await deps.store.get(runId);
    if (!run) return undefined;
    const pendingReminders = await deps.pendingReminders(runId);
    return { run, summary: buildSummary({ run, pendingReminders, now: now() }) };
  }

  /** Posts the summary message and uploads the Markdown into the run's thread. */
  async function post(runId: string, options: { comment?: string } = {}): Promise<boolean> {
    const built = await summaryOf(runId);
    const ref = await deps.refs.get(runId);
    if (!built || !ref) {
      deps.log.warn("no run or run message to post a summary to", { runId });
      return false;
    }
    const { run, summary } = built;
    const message = summaryMessage(summary, { runId, followUpButton: needsFollowUps(summary) });
    await deps.client.chat.postMessage({
      channel: ref.channel,
      thread_ts: ref.ts,
      text: message.text,
      blocks: message.blocks,
    });
    try {
      await deps.client.files.uploadV2({
        channel_id: ref.channel,
        thread_ts: ref.ts,
        filename: `${run.id}-post-mortem.md`,
        title: `Post-mortem: ${run.plan.title}`,
        content: summaryMarkdown(summary),
        ...(options.comment ? { initial_comment: options.comment } : {}),
      });
    } catch (error) {
      // The message is posted; the file can be posted again with /maintenance summary.
      deps.log.error("uploading the post-mortem Markdown failed", {
        runId,
        error: describeSlackError(error),
      });
      return false;
    }
    return true;
  }

  return { post, summaryOf };
}

export type SummaryPoster = ReturnType<typeof createSummaryPoster>;
