import type { WebClient } from "@slack/web-api";
import type { MessageRefs, RunPublisher } from "../core/ports.js";
import { markRehearsal } from "../core/run/rehearsal.js";
import type { Run } from "../core/run/run-schema.js";
import { findStep } from "../core/run/step-rules.js";
import type { MessageRefresher } from "./message-refresher.js";
import { renderActivity } from "./render/activity.js";
import { escapeMrkdwn, mention } from "./render/mrkdwn.js";
import { needsStepList, renderRunMessage, renderStepList } from "./render/run-message.js";
import type { SummaryPoster } from "./summary-poster.js";
import type { ThreadPoster } from "./thread-poster.js";

/** The run as people see it in Slack: the message, refreshed in place, and its thread. */
export function createSlackPublisher(deps: {
  client: WebClient;
  refs: MessageRefs;
  refresher: MessageRefresher;
  thread: ThreadPoster;
  summaries: SummaryPoster;
  now?: () => Date;
}): RunPublisher {
  const now = deps.now ?? (() => new Date());

  async function publish(run: Run): Promise<void> {
    const message = renderRunMessage(run, now());
    const posted = await deps.client.chat.postMessage({
      channel: run.channel,
      text: message.text,
      blocks: message.blocks,
    });
    if (!posted.ts || !posted.channel) throw new Error(`chat.postMessage for run ${run.id} returned no ts`);
    await deps.refs.save(run.id, { channel: posted.channel, ts: posted.ts });
    if (needsStepList(run)) {
      // A long checklist continues in the thread: the full list, posted once at the start.
      for (const part of renderStepList(run)) {
        await deps.client.chat.postMessage({
          channel: posted.channel,
          thread_ts: posted.ts,
          text: part.text,
          blocks: part.blocks,
        });
      }
    }
  }

  async function requestVerification(
    run: Run,
    stepId: string,
    completedBy: string,
    ask: string[],
  ): Promise<void> {
    const title = findStep(run, stepId)?.plan.title ?? stepId;
    const who =
      ask.length > 0 ? `${ask.map(mention).join(", ")}, please verify it` : "a teammate, please verify it";
    deps.thread.post(
      run.id,
      markRehearsal(
        run,
        `🟡 *${escapeMrkdwn(title)}* is waiting for verification: ${who} (${mention(completedBy)} completed it, so can't).`,
      ),
    );
  }

  async function requestApproval(
    run: Run,
    stepId: string,
    requestedBy: string,
    ask: string[],
  ): Promise<void> {
    const title = findStep(run, stepId)?.plan.title ?? stepId;
    const who =
      ask.length > 0
        ? `${ask.map(mention).join(", ")}, please review and approve it`
        : "a teammate, please review and approve it";
    deps.thread.post(
      run.id,
      markRehearsal(
        run,
        `🟠 *${escapeMrkdwn(title)}* changes ${escapeMrkdwn(run.environment ?? "a protected environment")} and waits for approval: ${who} (${mention(requestedBy)} asked for it, so can't).`,
      ),
    );
  }

  async function runClosed(run: Run): Promise<void> {
    // The summary closes the thread: lines still batched go out first.
    await deps.thread.idle();
    await deps.summaries.post(run.id);
  }

  return {
    publish,
    refresh: (runId) => deps.refresher.request(runId),
    postActivity: (run, activity) =>
      deps.thread.post(run.id, markRehearsal(run, renderActivity(activity, run))),
    requestVerification,
    requestApproval,
    runClosed,
  };
}
