import type { App } from "@slack/bolt";
import type { View } from "@slack/types";
import { z } from "zod";
import type { SlackDeps } from "../deps.js";
import { ACTION_IDS, VIEW_IDS } from "../ids.js";
import { parseJsonWith } from "../json-input.js";
import { inputText, viewSubmissionSchema } from "../payloads.js";
import { replyPrivately } from "../reply.js";
import { describeSlackError } from "../slack-errors.js";

/** After a run that went wrong: what went wrong, and what to change in the checklist. */

const FIELDS = {
  wrong: { block: "follow_up_wrong", label: "What went wrong?" },
  change: { block: "follow_up_change", label: "What should change in the checklist?" },
} as const;
const INPUT = "value";

const clickSchema = z.object({
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }),
  trigger_id: z.string(),
  actions: z.array(z.object({ value: z.string() })).min(1),
});
/** The run, the channel, and the run's progress when the form was opened. */
const metadataSchema = z.strictObject({
  r: z.string().max(64),
  c: z.string(),
  v: z.number().int().nonnegative(),
});
type Metadata = z.infer<typeof metadataSchema>;

function modal(metadata: Metadata): View {
  const input = (field: (typeof FIELDS)[keyof typeof FIELDS]) => ({
    type: "input" as const,
    block_id: field.block,
    optional: true,
    label: { type: "plain_text" as const, text: field.label },
    element: { type: "plain_text_input" as const, action_id: INPUT, multiline: true, max_length: 2_000 },
  });
  return {
    type: "modal",
    callback_id: VIEW_IDS.followUps,
    private_metadata: JSON.stringify(metadata),
    title: { type: "plain_text", text: "Follow-ups" },
    submit: { type: "plain_text", text: "Save" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [input(FIELDS.wrong), input(FIELDS.change)],
  };
}

export function register(app: App, deps: Pick<SlackDeps, "log" | "service" | "summaries">): void {
  app.action(ACTION_IDS.summaryFollowUp, async ({ ack, body, client }) => {
    await ack();
    const click = clickSchema.safeParse(body);
    const runId = click.success
      ? parseJsonWith(z.object({ r: z.string() }), click.data.actions[0]?.value)?.r
      : undefined;
    if (!click.success || !runId) return;
    const where = { channel: click.data.channel.id, user: click.data.user.id };
    const run = await deps.service.get(runId);
    if (!run) {
      await replyPrivately(client, deps.log, where, `There is no run "${runId}" any more.`);
      return;
    }
    try {
      await client.views.open({
        trigger_id: click.data.trigger_id,
        view: modal({ r: runId, c: where.channel, v: run.progress }),
      });
    } catch (error) {
      deps.log.error("could not open the follow-ups form", { runId, error: describeSlackError(error) });
      await replyPrivately(
        client,
        deps.log,
        where,
        "Slack did not open the form in time; click the button again.",
      );
    }
  });

  app.view(VIEW_IDS.followUps, async ({ ack, body, client }) => {
    const submission = viewSubmissionSchema.safeParse(body);
    const meta = submission.success
      ? parseJsonWith(metadataSchema, submission.data.view.private_metadata)
      : undefined;
    if (!submission.success || !meta) {
      await ack({
        response_action: "errors",
        errors: { [FIELDS.wrong.block]: "This form is out of date; click Add follow-ups again." },
      });
      return;
    }
    const { values } = submission.data.view.state;
    const wrong = inputText(values, FIELDS.wrong.block, INPUT);
    const change = inputText(values, FIELDS.change.block, INPUT);
    if (!wrong && !change) {
      await ack({
        response_action: "errors",
        errors: { [FIELDS.wrong.block]: "Write at least one follow-up, here or below." },
      });
      return;
    }
    await ack();
    const user = submission.data.user.id;
    const entries = [
      wrong ? `What went wrong: ${wrong}` : undefined,
      change ? `Change in the checklist: ${change}` : undefined,
    ].filter((text): text is string => text !== undefined);
    let added = 0;
    for (const [index, text] of entries.entries()) {
      const { result, effectsDone } = await deps.service.act(
        meta.r,
        { type: "follow_up_added", text, by: user, expectedProgress: meta.v },
        `follow_up.${submission.data.view.id}.${index}`,
      );
      if (result.status === "refused" || result.status === "not_found") {
        const message =
          result.status === "refused" ? result.refusal.message : `There is no run "${meta.r}" any more.`;
        await replyPrivately(client, deps.log, { channel: meta.c, user }, message);
        return;
      }
      if (result.status === "applied") added += 1;
      await effectsDone;
    }
    if (added === 0) return;
    await deps.summaries.post(meta.r, { comment: "The post-mortem, with the follow-ups" });
  });
}
