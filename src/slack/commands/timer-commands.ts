import type { WebClient } from "@slack/web-api";
import { incidentId, isTransient, type PreflightError } from "../../core/errors.js";
import type { MaintenanceWindow } from "../../core/window.js";
import type { SlackDeps } from "../deps.js";
import { postOnce } from "../post-once.js";
import { escapeMrkdwn, mention, slackDate } from "../render/mrkdwn.js";
import { windowAnnouncement } from "../render/timer-messages.js";
import { replyPrivately } from "../reply.js";
import { classifySlackError, describeSlackError, sleep } from "../slack-errors.js";
import type { MaintenanceCommand } from "./parse-command.js";

/** `/maintenance schedule | cancel | reminders`, run after the command was acknowledged. */

type Where = { channel: string; user: string };

type PostDeps = Pick<SlackDeps, "log" | "service" | "botClient" | "now" | "retryMs">;

/**
 * How long a window's announcement (or cancellation notice) is retried through Slack's transient
 * failures (429, 5xx, ok:false internal_error…) before the person who typed the command is told
 * it was not posted. The command was acknowledged; nobody waits on a spinner meanwhile.
 */
export const WINDOW_POST_RETRY_MS = 30_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 8_000;

export async function scheduleWindow(
  deps: Pick<SlackDeps, "log" | "windows" | "service" | "botClient" | "now" | "retryMs">,
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
  // The window and its reminders are stored: from here on, whatever happens to the announcement,
  // the person is never told "nothing was changed".
  const { window } = outcome;
  const failure = await postForWindow(
    deps,
    window,
    "scheduled",
    windowAnnouncement(window, outcome.announceBeforeMs),
  );
  if (!failure) return;
  await replyPrivately(
    client,
    deps.log,
    where,
    `Window \`${window.id}\` (*${escapeMrkdwn(window.title)}*, ${slackDate(window.startsAt)}) is scheduled and its reminders are set, but its announcement was not posted in <#${window.channel}>: ${notPosted(failure, window.channel)} Cancel it with \`/maintenance cancel ${window.id}\` if it should not happen.`,
  );
}

export async function cancelWindow(
  deps: Pick<SlackDeps, "log" | "windows" | "service" | "botClient" | "now" | "retryMs">,
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
  const reminders = `${removed} pending reminder${removed === 1 ? "" : "s"} removed`;
  const text = `🗓️ ${mention(where.user)} cancelled *${escapeMrkdwn(window.title)}* (${slackDate(window.startsAt)}, \`${window.id}\`): ${reminders}.`;
  const failure = await postForWindow(deps, window, "cancelled", text);
  if (!failure) return;
  await replyPrivately(
    client,
    deps.log,
    where,
    `Window \`${window.id}\` (*${escapeMrkdwn(window.title)}*) is cancelled (${reminders}), but the notice was not posted in <#${window.channel}>: ${notPosted(failure, window.channel)}`,
  );
}

/** Why a window's message is not in the channel, with the incident id a bug was logged under. */
type NotPosted = { failure: PreflightError; incident?: string };

/**
 * Posts a window's message once, as the timed jobs post its reminders (timed-jobs.ts): through the
 * bot's own client (no retries of its own), under an effect id kept with the window's
 * (`window.<id>` in the effect ledger), so that a retry after a lost answer finds the message
 * instead of posting it again. Transient failures are retried, honouring Retry-After, for
 * `WINDOW_POST_RETRY_MS`. Returns why it was not posted, or undefined once it is in the channel.
 */
async function postForWindow(
  deps: PostDeps,
  window: MaintenanceWindow,
  what: "scheduled" | "cancelled",
  text: string,
): Promise<NotPosted | undefined> {
  const effectId = `window.${window.id}.${what}`;
  const now = deps.now ?? (() => new Date());
  const deadline = Date.now() + WINDOW_POST_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    let failure: PreflightError;
    try {
      const ledger = await deps.service.ledger(`window.${window.id}`, [effectId]);
      await postOnce(deps.botClient, ledger, { channel: window.channel, text, effectIds: [effectId] }, now);
      return undefined;
    } catch (error) {
      failure = classifySlackError(error);
    }
    const { first, max } = deps.retryMs ?? { first: FIRST_RETRY_MS, max: MAX_RETRY_MS };
    const wait = failure.retryAfterMs ?? Math.min(max, first * 2 ** (attempt - 1));
    if (isTransient(failure) && Date.now() + wait <= deadline) {
      deps.log.warn(`a window's ${what} message was not posted yet; trying again`, {
        windowId: window.id,
        attempt,
        code: failure.code,
        error: failure.platformCode ?? failure.message,
        retryInMs: wait,
      });
      await sleep(wait);
      continue;
    }
    const incident =
      failure.code === "bug" || failure.code === "corrupt_data" ? incidentId(now()) : undefined;
    deps.log.error(`a window's ${what} message could not be posted`, {
      windowId: window.id,
      channel: window.channel,
      attempts: attempt,
      code: failure.code,
      error: failure.platformCode ?? failure.message,
      ...(incident ? { incident } : {}),
    });
    return { failure, ...(incident ? { incident } : {}) };
  }
}

/** Why a window's message is not in the channel, and what the person can do, for a private reply. */
function notPosted({ failure, incident }: NotPosted, channel: string): string {
  const code = failure.platformCode ?? "error";
  switch (failure.code) {
    case "slack_permanent":
      if (code === "not_in_channel" || code === "channel_not_found")
        return `Slack refused it (${code}). Invite Preflight to <#${channel}> (\`/invite @Preflight\`): its reminders and Start button are posted there too.`;
      if (code === "is_archived")
        return `<#${channel}> is archived, so its reminders can't be posted there either.`;
      return `Slack refused it (${code}). Tell the bot's maintainers.`;
    case "slack_transient":
      return `Slack kept failing (${code}). Post the news yourself if people need to know now.`;
    case "storage_unavailable":
    case "contention":
      return "Preflight's storage stopped answering. Post the news yourself if people need to know now.";
    default:
      return `something went wrong inside Preflight; it was logged${incident ? ` as ${incident}` : ""}. Tell the bot's maintainers.`;
  }
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
