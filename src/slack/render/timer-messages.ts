import type { KnownBlock } from "@slack/types";
import { z } from "zod";
import { formatDuration } from "../../core/duration.js";
import { offersDeletion, REHEARSAL_MARK } from "../../core/run/rehearsal.js";
import type { ReminderState, ScheduledReminder } from "../../core/run/run-schema.js";
import type { MaintenanceWindow } from "../../core/window.js";
import { ACTION_IDS } from "../ids.js";
import { escapeMrkdwn, escapeOnce, mention, slackDate, slackLink, truncate } from "./mrkdwn.js";

/** Messages of timed jobs: reminders with Done / Snooze, and scheduled windows. Pure. */

export const reminderValueSchema = z.strictObject({ k: z.string().max(300), r: z.string().max(64) });
export const windowValueSchema = z.strictObject({ w: z.string().max(64) });

interface Message {
  text: string;
  blocks: KnownBlock[];
}

const button = (text: string, actionId: string, value: string, style?: "primary" | "danger") => ({
  type: "button" as const,
  text: { type: "plain_text" as const, text },
  action_id: actionId,
  value,
  ...(style ? { style } : {}),
});

export function reminderMessage(reminder: ScheduledReminder, runLink: string | undefined): Message {
  // The top-level text is what notifications show: it is mrkdwn too, so the reminder is escaped there as well.
  const rehearsal = rehearsalPrefix(reminder);
  const text = `${rehearsal}⏰ Reminder: ${escapeMrkdwn(reminder.text)}`;
  const run = `run ${escapeMrkdwn(reminder.runId)}`;
  const from = runLink ? (slackLink(escapeMrkdwn(runLink), run) ?? run) : run;
  const value = JSON.stringify({ k: reminder.key, r: reminder.runId });
  const snoozed = reminder.occurrence > 0 ? `, snoozed ${reminder.occurrence}×` : "";
  return {
    text: truncate(text, 3_000),
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: truncate(`${rehearsal}⏰ *Reminder:* ${escapeMrkdwn(reminder.text)}`, 3_000),
        },
      },
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `From ${from}${snoozed}${rehearsalNote(reminder)}` }],
      },
      {
        type: "actions",
        elements: [
          button("Done", ACTION_IDS.reminderDone, value, "primary"),
          button("Snooze 1 day", ACTION_IDS.reminderSnoozeDay, value),
          button("Snooze 1 week", ACTION_IDS.reminderSnoozeWeek, value),
          ...(offersDeletion(reminder)
            ? [button("Delete snapshot…", ACTION_IDS.reminderDeleteSnapshot, value, "danger")]
            : []),
        ],
      },
    ],
  };
}

/** `🧪 Rehearsal (dry run) · would post to #business-updates: ` for a rehearsal's reminder. */
function rehearsalPrefix(reminder: ScheduledReminder): string {
  if (!reminder.dryRun) return "";
  const where = reminder.wouldPostTo ? ` · would post to ${channelName(reminder.wouldPostTo)}:` : " ·";
  return `${REHEARSAL_MARK}${where} `;
}

function rehearsalNote(reminder: ScheduledReminder): string {
  if (!reminder.dryRun) return "";
  const action = reminder.action;
  const deletion =
    action?.type === "rds.delete_snapshot"
      ? ` A real run would offer to delete snapshot \`${escapeMrkdwn(action.snapshot)}\` here; a rehearsal deletes nothing.`
      : "";
  return ` · posted in the run's thread because this run is a rehearsal.${deletion}`;
}

function channelName(channel: string): string {
  return /^[CG][A-Z0-9]+$/.test(channel) ? `<#${channel}>` : escapeMrkdwn(channel);
}

/** What was done with a reminder, as its message says once handled: `✅ Done: <@U1>, …`. */
export function handledReminderLine(handled: NonNullable<ReminderState["handled"]>): string {
  return handled.outcome === "snoozed"
    ? `😴 Snoozed by ${mention(handled.by)} until ${slackDate(handled.until ?? handled.at)}`
    : `✅ Done: ${mention(handled.by)}, ${slackDate(handled.at)}`;
}

/**
 * The reminder message once someone handled it: what was done, by whom, no buttons. `original` is
 * the message's text as the click carried it: escaped by us when posted, but still outside input.
 */
export function handledReminderMessage(original: string, outcome: string): Message {
  return {
    text: outcome,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: truncate(escapeOnce(original), 3_000) } },
      { type: "context", elements: [{ type: "mrkdwn", text: truncate(outcome, 2_000) }] },
    ],
  };
}

export function windowAnnouncement(window: MaintenanceWindow, announceBeforeMs: readonly number[]): string {
  const params = Object.entries(window.params)
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
  const before = announceBeforeMs.map((ms) => formatDuration(ms)).join(" and ");
  return [
    `📅 *${escapeMrkdwn(window.title)}* is scheduled for ${slackDate(window.startsAt)} by ${mention(window.owner)}${window.buddy ? ` with ${mention(window.buddy)}` : ""}.`,
    params ? `Parameters: \`${escapeMrkdwn(params)}\`` : "",
    `Reminders ${before} before; a Start button at the window's start. Cancel with \`/maintenance cancel ${window.id}\`.`,
  ]
    .filter(Boolean)
    .join("\n");
}

export function windowReminder(window: MaintenanceWindow, beforeMs: number): string {
  return `⏰ *${escapeMrkdwn(window.title)}* starts in ${formatDuration(beforeMs)} (${slackDate(window.startsAt)}). ${mention(window.owner)}${window.buddy ? ` ${mention(window.buddy)}` : ""}`;
}

export function windowStartMessage(window: MaintenanceWindow): Message {
  const text = `🟢 The window for ${escapeMrkdwn(window.title)} starts now.`;
  return {
    text,
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: `🟢 The window for *${escapeMrkdwn(window.title)}* starts now. ${mention(window.owner)}, whoever clicks Start runs it.`,
        },
      },
      {
        type: "actions",
        elements: [
          button("Start the run", ACTION_IDS.startWindow, JSON.stringify({ w: window.id }), "primary"),
        ],
      },
    ],
  };
}
