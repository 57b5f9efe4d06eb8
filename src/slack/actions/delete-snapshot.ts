import type { App } from "@slack/bolt";
import type { View } from "@slack/types";
import { z } from "zod";
import { formatDuration } from "../../core/duration.js";
import { RdsError, type RdsSnapshotState } from "../../core/rds.js";
import { can } from "../../core/run/permissions.js";
import type { Run, ScheduledReminder } from "../../core/run/run-schema.js";
import { reminderOf } from "../../core/run/run-schema.js";
import { isProtected } from "../../core/run/step-rules.js";
import type { SlackDeps } from "../deps.js";
import { ACTION_IDS, VIEW_IDS } from "../ids.js";
import { parseJsonWith } from "../json-input.js";
import { postOnce } from "../post-once.js";
import { escapeMrkdwn, mention, slackDate } from "../render/mrkdwn.js";
import { handledReminderMessage, reminderValueSchema } from "../render/timer-messages.js";
import { replyPrivately } from "../reply.js";
import { describeSlackError } from "../slack-errors.js";

/**
 * "Delete snapshot…" on a reminder: check the snapshot exists, show its age and size, ask for
 * confirmation, then (once the engine gave this person the reminder) delete it and record it on the run.
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

export function register(
  app: App,
  deps: Pick<SlackDeps, "defaultRegion" | "log" | "now" | "rds" | "service">,
): void {
  const now = deps.now ?? (() => new Date());

  app.action(ACTION_IDS.reminderDeleteSnapshot, async ({ ack, body, client }) => {
    await ack();
    const click = clickSchema.safeParse(body);
    if (!click.success) return;
    const user = click.data.user.id;
    const where = { channel: click.data.channel.id, user };
    const value = parseJsonWith(reminderValueSchema, click.data.actions[0]?.value);
    const run = value ? await deps.service.get(value.r) : undefined;
    if (!value || !run) {
      await replyPrivately(
        client,
        deps.log,
        where,
        "This reminder no longer belongs to a run Preflight knows; delete the snapshot in the AWS console.",
      );
      return;
    }
    // Asked before RDS is: the engine's guard says whether this person may delete it now (or, in
    // a protected environment where nobody asked yet, ask for it).
    const permission = can(run, { type: deletionStep(run, value.k), key: value.k }, user);
    if (!permission.allowed) {
      await replyPrivately(client, deps.log, where, permission.refusal.message);
      return;
    }
    const action = deleteActionOf(run, value.k) as DeleteAction;
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
        view: confirmation(snapshot, action, metadata, now(), question(run, value.k)),
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
    const run = await deps.service.get(meta.r);
    if (run && deletionStep(run, meta.k) === "request_deletion") {
      // Protected: this person asks; a different person confirms with the same button.
      const asked = await deps.service.act(
        meta.r,
        { type: "deletion_requested", key: meta.k, by: user },
        `reminder.${meta.k}.deletion_requested`,
      );
      if (asked.result.status === "refused" || asked.result.status === "not_found") {
        const message =
          asked.result.status === "refused"
            ? asked.result.refusal.message
            : `There is no run "${meta.r}" any more.`;
        await replyPrivately(client, deps.log, where, message);
        return;
      }
      const action = deleteActionOf(run, meta.k);
      const snapshotName = action ? `\`${escapeMrkdwn(action.snapshot)}\`` : "the snapshot";
      // Said under the reminder, where the second person will click (once, however often this runs).
      await postOnce(
        client,
        await deps.service.ledger(meta.r, [`reminder.${meta.k}.deletion_asked`]),
        {
          channel: meta.c,
          threadTs: meta.ts,
          text: `🗑️ ${mention(user)} asked to delete snapshot ${snapshotName}. ${escapeMrkdwn(run.environment ?? "This environment")} is protected: a second person must confirm with *Delete snapshot…* on the reminder.`,
          effectIds: [`reminder.${meta.k}.deletion_asked`],
        },
        now,
      ).catch((error: unknown) =>
        deps.log.error("could not answer under a reminder", { runId: meta.r, error: String(error) }),
      );
      return;
    }
    // The engine claims the reminder for this deletion first: a Done or a second Delete is refused from now on.
    const claim = await deps.service.act(
      meta.r,
      { type: "reminder_handled", key: meta.k, outcome: "action", by: user },
      `reminder.${meta.k}.delete.${user}`,
    );
    if (claim.result.status === "refused" || claim.result.status === "not_found") {
      const message =
        claim.result.status === "refused"
          ? claim.result.refusal.message
          : `There is no run "${meta.r}" any more; delete the snapshot in the AWS console.`;
      await replyPrivately(client, deps.log, where, message);
      return;
    }
    if (claim.result.status === "duplicate") return;
    const action = deleteActionOf(claim.result.run, meta.k);
    if (!action) return;
    const region = action.region ?? deps.defaultRegion;
    const updateReminder = (line: string) => {
      const updated = handledReminderMessage(meta.text, line);
      return client.chat
        .update({ channel: meta.c, ts: meta.ts, text: updated.text, blocks: updated.blocks })
        .catch((error: unknown) =>
          deps.log.error("could not update a reminder message", {
            runId: meta.r,
            error: describeSlackError(error),
          }),
        );
    };
    try {
      await deps.rds.deleteSnapshot(action.target, action.snapshot, region);
    } catch (error) {
      // The reminder stays claimed: its message says what failed and how to finish by hand.
      const failed = `${action.snapshot} was not deleted: ${errorText(error)}`;
      await replyPrivately(client, deps.log, where, failed);
      await updateReminder(
        `🗑️ ${mention(user)} tried to delete snapshot \`${escapeMrkdwn(action.snapshot)}\`: ${escapeMrkdwn(errorText(error))} Delete it in the AWS console.`,
      );
      return;
    }
    const recorded = await deps.service.act(
      meta.r,
      { type: "snapshot_deleted", key: meta.k, snapshot: action.snapshot, region, by: user },
      `reminder.${meta.k}.deleted`,
    );
    if (recorded.result.status === "refused")
      deps.log.error("a snapshot deletion was not recorded on its run", {
        runId: meta.r,
        reason: recorded.result.refusal.message,
      });
    await updateReminder(
      `🗑️ ${mention(user)} deleted snapshot \`${escapeMrkdwn(action.snapshot)}\` (${slackDate(now().toISOString())})`,
    );
    await Promise.all([claim.effectsDone, recorded.effectsDone]);
  });
}

/** Delete, or (protected environment, nobody asked yet) ask for the deletion first. */
function deletionStep(run: Run, key: string): "delete_snapshot" | "request_deletion" {
  return isProtected(run) && !reminderOf(run, key)?.deletionRequested
    ? "request_deletion"
    : "delete_snapshot";
}

function deleteActionOf(run: Run, key: string): DeleteAction | undefined {
  const action = reminderOf(run, key)?.action;
  return action?.type === "rds.delete_snapshot" ? action : undefined;
}

/** What the form asks: the first of two people asks; the second confirms; elsewhere one deletes. */
function question(run: Run, key: string): string {
  if (deletionStep(run, key) === "request_deletion")
    return "This environment is protected: you ask, and a second person confirms before it is deleted. Ask to delete this snapshot?";
  const asked = reminderOf(run, key)?.deletionRequested;
  if (asked)
    return `${mention(asked.by)} asked to delete this snapshot. Confirm, and it is deleted for good:`;
  return "Delete this snapshot for good?";
}

function confirmation(
  snapshot: RdsSnapshotState,
  action: DeleteAction,
  metadata: z.infer<typeof metadataSchema>,
  now: Date,
  ask: string,
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
    submit: { type: "plain_text", text: "Delete it" },
    close: { type: "plain_text", text: "Keep it" },
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `${ask}\n${facts.join("\n")}`.slice(0, 3_000) },
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

function errorText(error: unknown): string {
  return error instanceof RdsError
    ? error.message
    : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}
