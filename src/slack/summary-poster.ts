import type { WebClient } from "@slack/web-api";
import { historyWithRun } from "../core/history/history-entry.js";
import type { HistoryStore } from "../core/history/history-port.js";
import type { Logger, MessageRef, MessageRefs, RunStore } from "../core/ports.js";
import type { Run, ScheduledReminder } from "../core/run/run-schema.js";
import { buildSummary, needsFollowUps } from "../core/summary.js";
import { nameMentions } from "../render/display-names.js";
import { summaryMarkdown } from "../render/summary-markdown.js";
import { summaryMessage } from "./render/summary-message.js";
import { classifySlackError, describeSlackError } from "./slack-errors.js";

/**
 * The post-mortem in the run's thread: a message with the headline figures and the exceptions,
 * and the whole summary as a Markdown file (Slack's upload v2: files.getUploadURLExternal, the
 * upload, files.completeUploadExternal — what WebClient.files.uploadV2 does). When a run closes,
 * the effect runner posts it once (slack-publisher.ts); `post` posts it again on request.
 */

export interface BuiltSummary {
  message: { text: string; blocks: unknown[] };
  filename: string;
  title: string;
  content: string;
}

export function createSummaryPoster(deps: {
  client: WebClient;
  store: RunStore;
  refs: MessageRefs;
  pendingReminders: (runId: string) => Promise<ScheduledReminder[]>;
  /** Earlier runs, which the post-mortem compares this one with. */
  history?: Pick<HistoryStore, "entries">;
  log: Logger;
  now?: () => Date;
  /** Display names for the Markdown, read outside Slack (display-names.ts); ids without it. */
  displayName?: (user: string) => Promise<string | undefined>;
  /** Each follow-up issue's state in its tracker (src/tracker), for a summary asked for later. */
  followUpStates?: (run: Run) => Promise<Record<number, { state?: "open" | "closed" }>>;
}) {
  const now = deps.now ?? (() => new Date());

  /** Builds the summary from what is stored now; undefined when the run does not exist. */
  async function summaryOf(runId: string, withStates = false) {
    const run = await deps.store.getComplete(runId);
    if (!run) return undefined;
    const pendingReminders = await deps.pendingReminders(runId);
    const history = deps.history
      ? historyWithRun(run, await deps.history.entries(run.plan.id, run.environment ?? null))
      : undefined;
    const followUpStates =
      withStates && deps.followUpStates ? statesOf(await deps.followUpStates(run)) : undefined;
    return {
      run,
      summary: buildSummary({
        run,
        pendingReminders,
        now: now(),
        ...(history ? { history } : {}),
        ...(followUpStates ? { followUpStates } : {}),
      }),
    };
  }

  async function build(runId: string, withStates = false): Promise<BuiltSummary | undefined> {
    const built = await summaryOf(runId, withStates);
    if (!built) return undefined;
    const { run, summary } = built;
    const message = summaryMessage(summary, { runId, followUpButton: needsFollowUps(summary) });
    return {
      message: { text: message.text, blocks: message.blocks },
      filename: `${run.id}-post-mortem.md`,
      title: `Post-mortem: ${run.plan.title}`,
      content: deps.displayName
        ? await nameMentions(summaryMarkdown(summary), deps.displayName)
        : summaryMarkdown(summary),
    };
  }

  async function upload(ref: MessageRef, built: BuiltSummary, comment?: string): Promise<void> {
    await deps.client.files.uploadV2({
      channel_id: ref.channel,
      thread_ts: ref.ts,
      filename: built.filename,
      title: built.title,
      content: built.content,
      ...(comment ? { initial_comment: comment } : {}),
    });
  }

  /** Posts the summary message and uploads the Markdown into the run's thread, on request. */
  async function post(runId: string, options: { comment?: string } = {}): Promise<boolean> {
    const [built, ref] = await Promise.all([build(runId, true), deps.refs.get(runId)]);
    if (!built || !ref) {
      deps.log.warn("no run or run message to post a summary to", { runId });
      return false;
    }
    await deps.client.chat.postMessage({
      channel: ref.channel,
      thread_ts: ref.ts,
      text: built.message.text,
      blocks: built.message.blocks as never,
    });
    try {
      await upload(ref, built, options.comment);
    } catch (error) {
      const failure = classifySlackError(error);
      deps.log.error("uploading the post-mortem Markdown failed", {
        runId,
        error: describeSlackError(error),
      });
      await deps.client.chat
        .postMessage({
          channel: ref.channel,
          thread_ts: ref.ts,
          text: `⚠️ The post-mortem file could not be uploaded (Slack answered \`${failure.platformCode ?? "error"}\`). ${failure.code === "slack_permanent" ? "Reinstall the app from manifest.yml (it needs files:write) or invite it to the channel, then" : "Slack is failing right now;"} run \`/maintenance summary ${runId}\` again.`,
        })
        .catch(() => undefined);
      return false;
    }
    return true;
  }

  return { post, build, upload, summaryOf };
}

export type SummaryPoster = ReturnType<typeof createSummaryPoster>;

function statesOf(found: Record<number, { state?: "open" | "closed" }>): Record<number, "open" | "closed"> {
  return Object.fromEntries(
    Object.entries(found).flatMap(([index, issue]) => (issue.state ? [[Number(index), issue.state]] : [])),
  );
}
