import type { App } from "@slack/bolt";
import { z } from "zod";
import type { RunEvent } from "../../core/run/run-schema.js";
import type { SlackDeps } from "../deps.js";
import { ACTION_IDS } from "../ids.js";
import { parseJsonWith } from "../json-input.js";
import { showReminderHandled } from "../reminder-handled.js";
import { reminderValueSchema, windowValueSchema } from "../render/timer-messages.js";
import { replyPrivately } from "../reply.js";
import { openWindowBuddyForm } from "../window-start.js";
import { markWindowStarted } from "../window-started.js";

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

export function register(
  app: App,
  deps: Pick<SlackDeps, "log" | "now" | "service" | "windows" | "catalog">,
): void {
  const now = deps.now ?? (() => new Date());

  for (const { actionId, snoozeMs } of REMINDER_ACTIONS) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const click = readClick(body, reminderValueSchema);
      if (!click) return;
      const where = { channel: click.channel.id, user: click.user.id };
      const until = new Date(now().getTime() + snoozeMs).toISOString();
      const event: RunEvent =
        snoozeMs === 0
          ? { type: "reminder_handled", key: click.value.k, outcome: "done", by: click.user.id }
          : { type: "reminder_handled", key: click.value.k, outcome: "snoozed", until, by: click.user.id };
      // The engine decides (the first click wins); only then is the snooze scheduled, as its effect.
      const { result, effectsDone } = await deps.service.act(
        click.value.r,
        event,
        `reminder.${click.value.k}.${actionId}.${click.user.id}`,
      );
      if (result.status === "refused" || result.status === "not_found") {
        const message =
          result.status === "refused"
            ? result.refusal.message
            : `There is no run "${click.value.r}" any more; handle this reminder by hand.`;
        await replyPrivately(client, deps.log, where, message);
        return;
      }
      if (result.status === "duplicate") return;
      await showReminderHandled(client, deps.log, result.run, click.value.k, {
        channel: click.channel.id,
        ts: click.message.ts,
      });
      await effectsDone;
    });
  }

  app.action(ACTION_IDS.startWindow, async ({ ack, body, client }) => {
    await ack();
    const click = readClick(body, windowValueSchema);
    if (!click) return;
    const outcome = await deps.windows.start(click.value.w, click.user.id);
    const window = outcome.ok ? undefined : await deps.windows.get(click.value.w);
    const trigger = (body as { trigger_id?: unknown }).trigger_id;
    if (!outcome.ok && outcome.code === "buddy_required" && window && typeof trigger === "string") {
      // The same form as `/maintenance start` asks for the buddy; its submission starts the window.
      await openWindowBuddyForm(
        deps,
        client,
        { triggerId: trigger, user: click.user.id, messageTs: click.message.ts },
        window,
        outcome.message,
      );
      return;
    }
    if (!outcome.ok) {
      await replyPrivately(
        client,
        deps.log,
        { channel: click.channel.id, user: click.user.id },
        outcome.message,
      );
      return;
    }
    await markWindowStarted(
      client,
      deps.log,
      { channel: click.channel.id, ts: click.message.ts },
      click.user.id,
      outcome.run.id,
    );
  });
}
