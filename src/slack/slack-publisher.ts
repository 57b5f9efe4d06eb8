import type { WebClient } from "@slack/web-api";
import { PreflightError, slackFix } from "../core/errors.js";
import {
  EFFECT_NUMBERED_PART,
  EFFECT_PARTS,
  type EffectLedger,
  type Logger,
  type MessageRefs,
  type RunPublisher,
  type ThreadLine,
} from "../core/ports.js";
import { markRehearsal } from "../core/run/rehearsal.js";
import type { Run } from "../core/run/run-schema.js";
import { permalinkOf } from "./permalink.js";
import { findFile, postOnce } from "./post-once.js";
import { escapeMrkdwn } from "./render/mrkdwn.js";
import { needsStepList, renderRunMessage, renderStepList } from "./render/run-message.js";
import { threadLineOf } from "./render/thread-lines.js";
import { classifySlackError, describeSlackError } from "./slack-errors.js";
import type { SummaryPoster } from "./summary-poster.js";

/** The parts of a run's messages, each with its own record (read with the outbox). */
const { message: MESSAGE_PART, file: FILE_PART, fileFailed: FILE_FAILED_PART } = EFFECT_PARTS;

/** Thread messages stay well under Slack's 4,000 characters of text. */
const MAX_MESSAGE_CHARS = 3_000;

/**
 * The run as people see it in Slack: the message, redrawn in place, and its thread. Every post
 * is made once per effect (post-once.ts); what fails is thrown as a classified error for the
 * effect runner to retry or record.
 */
export function createSlackPublisher(deps: {
  client: WebClient;
  refs: MessageRefs;
  summaries: SummaryPoster;
  /** True the first time a name is claimed (Redis SET NX): owners are told once per failure. */
  claimOnce: (name: string) => Promise<boolean>;
  log: Logger;
  now: () => Date;
}): RunPublisher {
  const { client, refs, now } = deps;

  /**
   * The run message, then (a long checklist) its full list in the thread: each a part with its own
   * record, and the effect done only once every part is, so a part that fails is posted later and
   * the parts before it are not posted again.
   */
  async function publish(run: Run, effectId: string, ledger: EffectLedger): Promise<void> {
    const message = renderRunMessage(run, now());
    const messageId = `${effectId}${MESSAGE_PART}`;
    const ts = await postOnce(
      client,
      ledger,
      { channel: run.channel, text: message.text, blocks: message.blocks, effectIds: [messageId] },
      now,
    );
    const channel = ledger.get(messageId)?.channel ?? run.channel;
    if (!ts) throw classifySlackError(new Error(`chat.postMessage for run ${run.id} returned no ts`));
    // Its link, asked once now and kept with its place: reminders, trackers and replies use it
    // (a burst of reminders then asks Slack for none).
    const link = await permalinkOf(client, deps.log, channel, ts);
    await refs.save(run.id, { channel, ts, ...(link ? { link } : {}) });
    if (needsStepList(run)) {
      // A long checklist continues in the thread: the full list, posted once at the start.
      for (const [index, part] of renderStepList(run).entries()) {
        await postOnce(
          client,
          ledger,
          {
            channel,
            threadTs: ts,
            text: part.text,
            blocks: part.blocks,
            effectIds: [`${effectId}${EFFECT_NUMBERED_PART}${index}`],
          },
          now,
        );
      }
    }
    await ledger.mark(effectId, { status: "done", at: now().toISOString(), ts, channel });
  }

  async function postLines(run: Run, lines: readonly ThreadLine[], ledger: EffectLedger): Promise<void> {
    const ref = await refs.get(run.id);
    const texts = lines
      .filter((line) => ledger.get(line.effectId)?.status !== "done")
      .map((line) => ({ id: line.effectId, text: threadLineOf(run, line.effect) }));
    // Effects with nothing to say are done at once.
    for (const line of texts.filter((t) => t.text === undefined))
      await ledger.mark(line.id, { status: "done", at: now().toISOString() });
    const said = texts.filter((t): t is { id: string; text: string } => t.text !== undefined);
    if (said.length === 0) return;
    if (!ref) {
      // The run message was never posted (it failed for good): there is no thread to write in.
      if (run.status !== "active") {
        for (const line of said) await ledger.mark(line.id, { status: "done", at: now().toISOString() });
        return;
      }
      // Its run message is still to be posted (Slack was failing): the lines wait for it.
      throw new PreflightError("slack_transient", "the run message is not posted yet");
    }
    for (const batch of chunk(said)) {
      const words = new Map(batch.map((line) => [line.id, markRehearsal(run, line.text)]));
      const textOf = (ids: readonly string[]) => ids.map((id) => words.get(id) ?? "").join("\n");
      await postOnce(
        client,
        ledger,
        {
          channel: ref.channel,
          threadTs: ref.ts,
          text: textOf([...words.keys()]),
          textOf,
          effectIds: [...words.keys()],
        },
        now,
      );
    }
  }

  async function postSummary(run: Run, effectId: string, ledger: EffectLedger): Promise<void> {
    const ref = await refs.get(run.id);
    if (!ref) {
      await ledger.mark(effectId, { status: "done", at: now().toISOString() });
      return;
    }
    const built = await deps.summaries.build(run.id);
    if (!built) return ledger.mark(effectId, { status: "done", at: now().toISOString() });
    await postOnce(
      client,
      ledger,
      {
        channel: ref.channel,
        threadTs: ref.ts,
        text: built.message.text,
        blocks: built.message.blocks,
        effectIds: [`${effectId}${MESSAGE_PART}`],
      },
      now,
    );
    const fileId = `${effectId}${FILE_PART}`;
    if (ledger.get(fileId)?.status !== "done") {
      const filename = built.filename;
      const landed =
        ledger.get(fileId)?.status === "tried"
          ? await findFile(client, { channel: ref.channel, threadTs: ref.ts }, filename)
          : undefined;
      if (!landed) {
        await ledger.mark(fileId, { status: "tried", at: now().toISOString() });
        try {
          await deps.summaries.upload(ref, built);
        } catch (error) {
          const failure = classifySlackError(error);
          if (failure.code !== "slack_permanent") throw failure;
          // The summary message is there; the file is not, and a person can fix why.
          deps.log.error("uploading the post-mortem Markdown failed", {
            runId: run.id,
            error: describeSlackError(error),
          });
          await postOnce(
            client,
            ledger,
            {
              channel: ref.channel,
              threadTs: ref.ts,
              text: `⚠️ The post-mortem file could not be uploaded (Slack answered \`${escapeMrkdwn(failure.platformCode ?? "error")}\`). ${slackFix(failure.platformCode, ref.channel)} Then run \`/maintenance summary ${run.id}\` to post it again.`,
              effectIds: [`${effectId}${FILE_FAILED_PART}`],
            },
            now,
          );
        }
      }
      await ledger.mark(fileId, { status: "done", at: now().toISOString() });
    }
    await ledger.mark(effectId, { status: "done", at: now().toISOString() });
  }

  async function redraw(run: Run): Promise<"drawn" | "not_posted"> {
    const ref = await refs.get(run.id);
    if (!ref) return "not_posted";
    const message = renderRunMessage(run, now());
    try {
      await client.chat.update({
        channel: ref.channel,
        ts: ref.ts,
        text: message.text,
        // As Slack receives them, JSON text: the client copies and serialises an array for its
        // debug line on every call, debug on or not (~10 % of a redraw's CPU); text it passes on.
        // The text the renderer measured against Slack's limit, not serialised a second time.
        blocks: message.blocksJson as never,
      });
    } catch (error) {
      throw classifySlackError(error);
    }
    return "drawn";
  }

  async function tellOwner(run: Run, kind: string, code: string): Promise<void> {
    if (!(await deps.claimOnce(`told:${run.id}:${kind}`))) return;
    const title = escapeMrkdwn(run.plan.title);
    const text =
      `⚠️ Preflight can't post for your run *${title}* (\`${run.id}\`) in <#${run.channel}>: Slack answers \`${escapeMrkdwn(code)}\`. ` +
      slackFix(code, run.channel);
    try {
      // A user id as the channel: the message arrives in Preflight's direct messages with them.
      await client.chat.postMessage({ channel: run.owner, text });
    } catch (error) {
      deps.log.error("could not tell the run's owner about a failure", {
        runId: run.id,
        error: describeSlackError(error),
      });
    }
  }

  return { publish, postLines, postSummary, redraw, tellOwner };
}

/** Joins lines into messages of at most MAX_MESSAGE_CHARS, never splitting a line. */
function chunk(lines: { id: string; text: string }[]): { id: string; text: string }[][] {
  const batches: { id: string; text: string }[][] = [];
  let current: { id: string; text: string }[] = [];
  let size = 0;
  for (const line of lines) {
    const text =
      line.text.length > MAX_MESSAGE_CHARS ? `${line.text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : line.text;
    if (current.length > 0 && size + 1 + text.length > MAX_MESSAGE_CHARS) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push({ id: line.id, text });
    size += text.length + 1;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
