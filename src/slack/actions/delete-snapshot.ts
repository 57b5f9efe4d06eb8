import type { App } from "@slack/bolt";
import type { View } from "@slack/types";
import { z } from "zod";
import { formatDuration } from "../../core/duration.js";
import { RdsError, type RdsSnapshotState } from "../../core/rds.js";
import {
  DELETION_REQUESTED,
  type DeletionDecision,
  decideSnapshotDeletion,
  deletionRequestId,
  SNAPSHOT_DELETED,
} from "../../core/run/deletion.js";
import type { ScheduledReminder } from "../../core/run/run-schema.js";
import type { SlackDeps } from "../deps.js";
import { ACTION_IDS, VIEW_IDS } from "../ids.js";
import { parseJsonWith } from "../json-input.js";
import { escapeMrkdwn, mention, slackDate } from "../render/mrkdwn.js";
import { handledReminderMessage, reminderValueSchema } from "../render/timer-messages.js";
import { replyPrivately } from "../reply.js";
import { describeSlackError } from "../slack-errors.js";

/**
 * "Delete snapshot…" on a reminder: check the snapshot exists, show its age and size, ask for
 * confirmation, then delete it and record who did on the run. Whether one person may delete it,
 * or the first asks and a second confirms (protected environments), is decided in the core.
 */

const clickSchema = z.object({
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }),
  trigger_id: z.string(),
  message: z.object({ ts: z.string(), text: z.string().default("") }),
  actions: z.array(z.object({ value: z.string() })).min(1),
});
const metadataSchema = z.strictObject({
  k: z.string(),
  r: z.string(),
  c: z.string(),
  ts: z.string(),
  text: z.string().max(1_500),
});
const submissionSchema = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({ private_metadata: z.string() }),
});

type DeleteAction = Extract<NonNullable<ScheduledReminder["action"]>, { type: "rds.delete_snapshot" }>;

export function register(app: App, deps: SlackDeps): void {
  const now = deps.now ?? (() => new Date());

  app.action(ACTION_IDS.reminderDeleteSnapshot, async ({ ack, body, client }) => {
    await ack();
    const click = clickSchema.safeParse(body);
    if (!click.success) return;
    const where = { channel: click.data.channel.id, user: click.data.user.id };
    const value = parseJsonWith(reminderValueSchema, click.data.actions[0]?.value);
    const reminder = value ? await deps.timers.reminder(value.k) : undefined;
    const action = reminder?.action?.type === "rds.delete_snapshot" ? reminder.action : undefined;
    if (!value || !reminder || !action) {
      await replyPrivately(
        client,
        deps.log,
        where,
        "This reminder no longer knows which snapshot to delete; delete it in the AWS console.",
      );
      return;
    }
    const decision = await decide(deps, reminder, where.user);
    if (decision.kind === "refused") {
      await replyPrivately(client, deps.log, where, decision.message);
      return;
    }
    let snapshot: RdsSnapshotState;
    try {
      snapshot = await deps.rds.describeSnapshot(
        action.target,
        action.snapshot,
        action.region ?? deps.defaultRegion,
      );
    } catch (error) {
      await replyPrivately(client, deps.log, where, `Can't delete ${action.snapshot}: ${errorText(error)}`);
      return;
    }
    const metadata = {
      k: value.k,
      r: value.r,
      c: where.channel,
      ts: click.data.message.ts,
      text: click.data.message.text.slice(0, 1_500),
    };
    try {
      await client.views.open({
        trigger_id: click.data.trigger_id,
        view: confirmation(snapshot, action, metadata, now(), decision),
      });
    } catch (error) {
      deps.log.error("could not open the snapshot deletion form", {
        runId: value.r,
        error: describeSlackError(error),
      });
      await replyPrivately(
        client,
        deps.log,
        where,
        "Slack did not open the confirmation in time; click the button again.",
      );
    }
  });

  app.view(VIEW_IDS.deleteSnapshot, async ({ ack, body, client }) => {
    await ack();
    const submission = submissionSchema.safeParse(body);
    const meta = submission.success
      ? parseJsonWith(metadataSchema, submission.data.view.private_metadata)
      : undefined;
    if (!submission.success || !meta) return;
    const user = submission.data.user.id;
    const where = { channel: meta.c, user };
    const reminder = await deps.timers.reminder(meta.k);
    const action = reminder?.action;
    if (!reminder || action?.type !== "rds.delete_snapshot") return;
    const runId = reminder.runId;
    const decision = await decide(deps, reminder, user);
    if (decision.kind === "refused") {
      await replyPrivately(client, deps.log, where, decision.message);
      return;
    }
    const snapshotName = `\`${escapeMrkdwn(action.snapshot)}\``;
    if (decision.kind === "request") {
      const recorded = await deps.service.record(runId, {
        at: now().toISOString(),
        by: user,
        type: DELETION_REQUESTED,
        eventId: deletionRequestId(meta.k),
        accepted: true,
        detail: `${action.snapshot} deletion asked for from the reminder`,
        version: -1,
      });
      if (!recorded) {
        await replyPrivately(
          client,
          deps.log,
          where,
          "Someone else asked for this deletion just before you: click Delete snapshot… again to confirm it.",
        );
        return;
      }
      const line = `🗑️ ${mention(user)} asked to delete snapshot ${snapshotName}. This environment is protected: a second person must confirm with *Delete snapshot…* on the reminder.`;
      await client.chat
        .postMessage({ channel: meta.c, thread_ts: meta.ts, text: line })
        .catch((error: unknown) =>
          deps.log.error("could not answer under a reminder", { runId, error: describeSlackError(error) }),
        );
      deps.thread.post(runId, line);
      return;
    }
    try {
      await deps.rds.deleteSnapshot(action.target, action.snapshot, action.region ?? deps.defaultRegion);
    } catch (error) {
      await replyPrivately(
        client,
        deps.log,
        where,
        `${action.snapshot} was not deleted: ${errorText(error)}`,
      );
      return;
    }
    const at = now().toISOString();
    const asked = decision.requestedBy;
    await deps.service.record(runId, {
      at,
      by: user,
      type: SNAPSHOT_DELETED,
      eventId: `reminder.${meta.k}.handled`,
      accepted: true,
      detail: `${action.snapshot} deleted from the reminder${asked ? `, asked for by ${asked}` : ""}`,
      version: -1,
    });
    const askedText = asked ? `, asked for by ${mention(asked)}` : "";
    const line = `🗑️ ${mention(user)} deleted snapshot ${snapshotName}${askedText} (${slackDate(at)})`;
    const updated = handledReminderMessage(meta.text, line);
    await client.chat
      .update({ channel: meta.c, ts: meta.ts, text: updated.text, blocks: updated.blocks })
      .catch((error: unknown) =>
        deps.log.error("could not update a reminder message", {
          runId,
          error: describeSlackError(error),
        }),
      );
    deps.thread.post(runId, line);
  });
}

/** The core's decision for this person and reminder, from the run and its log as stored now. */
async function decide(deps: SlackDeps, reminder: ScheduledReminder, by: string): Promise<DeletionDecision> {
  const [run, log] = await Promise.all([
    deps.service.get(reminder.runId),
    deps.service.runLog(reminder.runId),
  ]);
  const asked = log.find((entry) => entry.eventId === deletionRequestId(reminder.key));
  const request = asked ? { by: asked.by, at: asked.at } : undefined;
  return decideSnapshotDeletion({ run, reminder, by, request });
}

function confirmation(
  snapshot: RdsSnapshotState,
  action: DeleteAction,
  metadata: z.infer<typeof metadataSchema>,
  now: Date,
  decision: Exclude<DeletionDecision, { kind: "refused" }>,
): View {
  const age = snapshot.createdAt
    ? `${formatDuration(now.getTime() - Date.parse(snapshot.createdAt))} old (taken ${slackDate(snapshot.createdAt)})`
    : "age unknown";
  const size = snapshot.sizeGiB !== undefined ? `${snapshot.sizeGiB} GiB` : "size unknown";
  const facts = [
    `*${escapeMrkdwn(snapshot.id)}*`,
    `of ${action.target} \`${escapeMrkdwn(snapshot.sourceId)}\``,
    `${age}, ${size}, status ${snapshot.status}`,
  ];
  return {
    type: "modal",
    callback_id: VIEW_IDS.deleteSnapshot,
    private_metadata: JSON.stringify(metadata),
    title: { type: "plain_text", text: "Delete snapshot" },
    submit: { type: "plain_text", text: decision.kind === "request" ? "Ask to delete it" : "Delete it" },
    close: { type: "plain_text", text: "Keep it" },
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `${question(decision)}\n${facts.join("\n")}`.slice(0, 3_000) },
      },
      {
        type: "context",
        elements: [
          { type: "mrkdwn", text: "It can't be restored afterwards. The deletion is recorded on the run." },
        ],
      },
    ],
  };
}

function question(decision: Exclude<DeletionDecision, { kind: "refused" }>): string {
  if (decision.kind === "request")
    return "This environment is protected: you ask, and a second person confirms before it is deleted. Ask to delete this snapshot?";
  if (decision.requestedBy)
    return `${mention(decision.requestedBy)} asked to delete this snapshot. Confirm, and it is deleted for good:`;
  return "Delete this snapshot for good?";
}

function errorText(error: unknown): string {
  return error instanceof RdsError
    ? error.message
    : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}
