import type { App } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { groupsNamedIn } from "../../core/run/people.js";
import type { RunEvent } from "../../core/run/run-schema.js";
import { upcomingReminders } from "../../core/run/upcoming-reminders.js";
import { decodeActionValue } from "../action-value.js";
import type { SlackDeps } from "../deps.js";
import { ACTION_IDS } from "../ids.js";
import { parseJsonWith } from "../json-input.js";
import { linkOf } from "../permalink.js";
import { showReminderHandled } from "../reminder-handled.js";
import { HOME_ACTIONS, HOME_REMINDER_ACTIONS, homeView } from "../render/home-view.js";
import { reminderValueSchema } from "../render/timer-messages.js";
import { replyPrivately } from "../reply.js";

/**
 * The Home tab, per person: drawn when they open it (`app_home_opened` → `views.publish`) and
 * after a click on it. Its Verify / Approve buttons apply the same events as the run message's.
 */

type HomeDeps = Pick<SlackDeps, "log" | "refs" | "service" | "people" | "windows" | "now">;

const openedSchema = z.object({ user: z.string().regex(/^[UW][A-Z0-9_]+$/), tab: z.string().optional() });
const homeClickSchema = z.object({
  user: z.object({ id: z.string() }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string() })).min(1),
});

export async function publishHome(deps: HomeDeps, client: WebClient, user: string): Promise<void> {
  const runs = await deps.service.allActiveRuns();
  const named = [...new Set(runs.flatMap(groupsNamedIn))];
  const groups = deps.people && named.length > 0 ? await deps.people.groupsOf(user, named) : [];
  const links = new Map<string, string>();
  await Promise.all(
    runs.map(async (run) => {
      const ref = await deps.refs.get(run.id);
      if (!ref) return;
      const link = await linkOf(client, deps.log, ref);
      if (link) links.set(run.id, link);
    }),
  );
  const now = deps.now?.() ?? new Date();
  const [windows, ownRuns] = await Promise.all([deps.windows.forPerson(user), deps.service.runsOf(user)]);
  // Only the runs the person owns or buddies now: a run handed on is no longer theirs to remind.
  const theirs = ownRuns.filter((run) => run.owner === user || run.buddy === user);
  const reminders = upcomingReminders(theirs, now);
  await client.views.publish({
    user_id: user,
    view: homeView({ user, runs, groups, links, windows, reminders }),
  });
}

export function register(app: App, deps: HomeDeps): void {
  app.event("app_home_opened", async ({ event, client }) => {
    const opened = openedSchema.safeParse(event);
    if (!opened.success || (opened.data.tab && opened.data.tab !== "home")) return;
    await publishHome(deps, client, opened.data.user);
  });

  for (const actionId of Object.values(HOME_ACTIONS)) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const click = homeClickSchema.safeParse(body);
      const value = click.success ? decodeActionValue(click.data.actions[0]?.value) : undefined;
      if (!click.success || !value?.s) return;
      const user = click.data.user.id;
      const type = actionId === HOME_ACTIONS.verify ? "verify_step" : "approve_step";
      const { result } = await deps.service.act(
        value.r,
        { type, stepId: value.s, by: user, expectedProgress: value.v },
        `home.${user}.${value.r}.${value.s}.${value.v}`,
      );
      if (result.status === "refused") {
        const run = await deps.service.get(value.r);
        if (run)
          await replyPrivately(client, deps.log, { channel: run.channel, user }, result.refusal.message);
      }
      await publishHome(deps, client, user);
    });
  }

  // Done / Snooze on a reminder listed on the Home tab: the same event (and the same event id, so
  // a Done here and on the reminder's message are one intent) as the reminder's own buttons, and
  // the same redraw of its message.
  for (const [actionId, snooze] of [
    [HOME_REMINDER_ACTIONS.done, false],
    [HOME_REMINDER_ACTIONS.snooze, true],
  ] as const) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const click = homeClickSchema.safeParse(body);
      const value = click.success
        ? parseJsonWith(reminderValueSchema, click.data.actions[0]?.value)
        : undefined;
      if (!click.success || !value) return;
      const user = click.data.user.id;
      const now = deps.now?.() ?? new Date();
      const event: RunEvent = snooze
        ? {
            type: "reminder_handled",
            key: value.k,
            outcome: "snoozed",
            until: new Date(now.getTime() + 86_400_000).toISOString(),
            by: user,
          }
        : { type: "reminder_handled", key: value.k, outcome: "done", by: user };
      const same = snooze ? ACTION_IDS.reminderSnoozeDay : ACTION_IDS.reminderDone;
      const { result, effectsDone } = await deps.service.act(
        value.r,
        event,
        `reminder.${value.k}.${same}.${user}`,
      );
      if (result.status === "refused") {
        const run = await deps.service.get(value.r);
        if (run)
          await replyPrivately(client, deps.log, { channel: run.channel, user }, result.refusal.message);
      }
      // The reminder's message in the channel, if it was posted, says so as after a click on it.
      if (result.status === "applied") await showReminderHandled(client, deps.log, result.run, value.k);
      await effectsDone;
      await publishHome(deps, client, user);
    });
  }
}
