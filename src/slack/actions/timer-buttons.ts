import type { App } from "@slack/bolt";
import { z } from "zod";
import type { SlackDeps } from "../deps.js";
import { ACTION_IDS } from "../ids.js";
import { parseJsonWith } from "../json-input.js";
import { escapeOnce, mention, slackDate } from "../render/mrkdwn.js";
import { handledReminderMessage, reminderValueSchema, windowValueSchema } from "../render/timer-messages.js";
import { replyPrivately } from "../reply.js";
import { describeSlackError } from "../slack-errors.js";

/** Done / Snooze on reminders, and Start on a scheduled window's message. */

const clickSchema = z.object({
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }),
  message: z.object({ ts: z.string(), text: z.string().default("") }),
  actions: z.array(z.object({ value: z.string() })).min(1),
});

const DAY_MS = 86_400_000;
const REMINDER_ACTIONS = [
  { actionId: ACTION_IDS.reminderDone, snoozeMs: 0 },
  { actionId: ACTION_IDS.reminderSnoozeDay, snoozeMs: DAY_MS },
  { actionId: ACTION_IDS.reminderSnoozeWeek, snoozeMs: 7 * DAY_MS },
];

function readClick<T>(body: unknown, valueSchema: z.ZodType<T>) {
  const click = clickSchema.safeParse(body);
  const value = click.success ? parseJsonWith(valueSchema, click.data.actions[0]?.value) : undefined;
  return click.success && value !== undefined ? { ...click.data, value } : undefined;
}

export function register(app: App, deps: SlackDeps): void {
  const now = deps.now ?? (() => new Date());

  for (const { actionId, snoozeMs } of REMINDER_ACTIONS) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const click = readClick(body, reminderValueSchema);
      if (!click) return;
      const where = { channel: click.channel.id, user: click.user.id };
      const at = now();
      const until = new Date(at.getTime() + snoozeMs);
      const outcome = snoozeMs === 0 ? "done" : `snoozed until ${until.toISOString()}`;
      // The first click on a reminder decides it; a second one (or a double click) is told so.
      const first = await deps.service.record(click.value.r, {
        at: at.toISOString(),
        by: click.user.id,
        type: snoozeMs === 0 ? "reminder_done" : "reminder_snoozed",
        eventId: `reminder.${click.value.k}.handled`,
        accepted: true,
        detail: `${click.value.k}: ${outcome}`,
        version: -1,
      });
      if (!first) {
        await replyPrivately(
          client,
          deps.log,
          where,
          "Someone already marked this reminder done or snoozed it.",
        );
        return;
      }
      if (snoozeMs > 0 && !(await deps.timers.snoozeReminder(click.value.k, until))) {
        await replyPrivately(
          client,
          deps.log,
          where,
          "This reminder is no longer known to Preflight, so it can't be snoozed: set one by hand.",
        );
        return;
      }
      const line =
        snoozeMs === 0
          ? `✅ Done: ${mention(click.user.id)}, ${slackDate(at.toISOString())}`
          : `😴 Snoozed by ${mention(click.user.id)} until ${slackDate(until.toISOString())}`;
      const updated = handledReminderMessage(click.message.text, line);
      try {
        await client.chat.update({
          channel: click.channel.id,
          ts: click.message.ts,
          text: updated.text,
          blocks: updated.blocks,
        });
      } catch (error) {
        deps.log.error("could not update a reminder message", {
          runId: click.value.r,
          error: describeSlackError(error),
        });
      }
      deps.thread.post(
        click.value.r,
        `⏰ Reminder ${snoozeMs === 0 ? "done" : "snoozed"} by ${mention(click.user.id)}: ${escapeOnce(click.message.text)}`,
      );
    });
  }

  app.action(ACTION_IDS.startWindow, async ({ ack, body, client }) => {
    await ack();
    const click = readClick(body, windowValueSchema);
    if (!click) return;
    const outcome = await deps.windows.start(click.value.w, click.user.id);
    if (!outcome.ok) {
      await replyPrivately(
        client,
        deps.log,
        { channel: click.channel.id, user: click.user.id },
        outcome.message,
      );
      return;
    }
    const text = `▶️ ${mention(click.user.id)} started the window: run \`${outcome.run.id}\`.`;
    await client.chat.update({
      channel: click.channel.id,
      ts: click.message.ts,
      text,
      blocks: [{ type: "section", text: { type: "mrkdwn", text } }],
    });
  });
}
