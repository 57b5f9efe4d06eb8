import type { WebClient } from "@slack/web-api";
import type { SlackDeps } from "../deps.js";
import { escapeMrkdwn, mention, slackDate } from "../render/mrkdwn.js";
import { windowAnnouncement } from "../render/timer-messages.js";
import { replyPrivately } from "../reply.js";
import { describeSlackError } from "../slack-errors.js";
import type { MaintenanceCommand } from "./parse-command.js";

/** `/maintenance schedule | cancel | reminders`, run after the command was acknowledged. */

type Where = { channel: string; user: string };

export async function scheduleWindow(
  deps: Pick<SlackDeps, "log" | "windows">,
  client: WebClient,
  where: Where,
  command: Extract<MaintenanceCommand, { kind: "schedule" }>,
): Promise<void> {
  const outcome = await deps.windows.schedule({
    checklistId: command.checklistId,
    at: command.at,
    timeZone: await timeZoneOf(client, deps, where.user),
    params: command.params,
    channel: where.channel,
    owner: where.user,
    dryRun: command.dryRun,
    ...(command.buddy ? { buddy: command.buddy } : {}),
  });
  if (!outcome.ok) {
    await replyPrivately(client, deps.log, where, outcome.message);
    return;
  }
  await client.chat.postMessage({
    channel: where.channel,
    text: windowAnnouncement(outcome.window, outcome.announceBeforeMs),
  });
}

export async function cancelWindow(
  deps: Pick<SlackDeps, "log" | "windows">,
  client: WebClient,
  where: Where,
  windowId: string,
): Promise<void> {
  const outcome = await deps.windows.cancel(windowId, where.user, where.channel);
  if (!outcome.ok) {
    await replyPrivately(client, deps.log, where, outcome.message);
    return;
  }
  const { window, removed } = outcome;
  const text = `🗓️ ${mention(where.user)} cancelled *${escapeMrkdwn(window.title)}* (${slackDate(window.startsAt)}, \`${window.id}\`): ${removed} pending reminder${removed === 1 ? "" : "s"} removed.`;
  await client.chat.postMessage({ channel: window.channel, text });
}

export async function listPending(
  deps: Pick<SlackDeps, "log" | "timers">,
  client: WebClient,
  where: Where,
): Promise<void> {
  const pending = await deps.timers.pendingInChannel(where.channel);
  const lines = pending.slice(0, 40).map((job) => {
    const what =
      job.kind === "window"
        ? `window \`${escapeMrkdwn(job.text)}\` (${job.jobId.includes(".start") ? "start" : "reminder before it"})`
        : escapeMrkdwn(job.text);
    return `• ${slackDate(job.dueAt)}: ${what}`;
  });
  const more = pending.length > 40 ? `\n…and ${pending.length - 40} more` : "";
  const text =
    pending.length === 0
      ? "Nothing is pending in this channel."
      : `*Pending in this channel:*\n${lines.join("\n")}${more}`;
  await replyPrivately(client, deps.log, where, text);
}

/** The person's Slack time zone, for local times; UTC when Slack doesn't say. */
async function timeZoneOf(client: WebClient, deps: Pick<SlackDeps, "log">, user: string): Promise<string> {
  try {
    return (await client.users.info({ user })).user?.tz ?? "UTC";
  } catch (error) {
    deps.log.warn("no time zone for a user; reading local times as UTC", {
      user,
      error: describeSlackError(error),
    });
    return "UTC";
  }
}
