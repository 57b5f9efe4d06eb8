import { ErrorCode, type WebClient } from "@slack/web-api";
import type { Logger } from "../core/ports.js";
import { withGroupHandles } from "./group-names.js";
import { neutralizeMrkdwn } from "./render/mrkdwn.js";
import { describeSlackError, retryAfterMs, sleep } from "./slack-errors.js";

/**
 * How long a private reply is tried again through failures that say it did not land: past that
 * it would arrive too late to explain a click, and the response_url (when given) is tried instead.
 */
export const PRIVATE_REPLY_RETRY_MS = 10_000;

/**
 * `ok:false` answers that mean Slack did not carry the call out and may later: worth another try.
 * (A 429 says the same; an HTTP 5xx or a timeout does not say whether the reply landed.)
 */
const NOT_CARRIED_OUT = new Set([
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "ratelimited",
  "rate_limited",
  "team_added_to_org",
]);

/**
 * Private replies often quote what the person typed inside a refusal the engine worded (`x=<…> is
 * not allowed`, `There is no run "…"`): they are neutralized here, once, for every caller. Escaped
 * text and Preflight's own mentions pass unchanged.
 */
export function privateText(text: string): string {
  return neutralizeMrkdwn(text);
}

/**
 * Tells one person something only they see. A 429 (after Retry-After) and a transient `ok:false`
 * are tried again for up to `PRIVATE_REPLY_RETRY_MS`: both say the reply did not land, so it is
 * never shown twice. When chat.postEphemeral still fails and `respond` is given (the request's
 * response_url), that is tried. A failure is logged; it never throws into a listener.
 */
export async function replyPrivately(
  client: WebClient,
  log: Logger,
  target: { channel: string; user: string },
  message: string,
  respond?: (message: { response_type: "ephemeral"; text: string }) => Promise<unknown>,
  retryForMs = PRIVATE_REPLY_RETRY_MS,
): Promise<void> {
  // A group named in a refusal reads as its @handle, never a mention of the whole group.
  const text = privateText(await withGroupHandles(client, message));
  try {
    await postEphemeral(client, log, { channel: target.channel, user: target.user, text }, retryForMs);
  } catch (error) {
    // Not in the channel yet: the command's response_url still reaches the person.
    if (respond) {
      try {
        await respond({ response_type: "ephemeral", text });
        return;
      } catch (fallbackError) {
        log.error("private reply failed", { ...target, error: describeSlackError(fallbackError) });
        return;
      }
    }
    log.error("private reply failed", { ...target, error: describeSlackError(error) });
  }
}

/** chat.postEphemeral, tried again (within the bound) only after answers that say it did not land. */
async function postEphemeral(
  client: WebClient,
  log: Logger,
  args: { channel: string; user: string; text: string },
  retryForMs: number,
): Promise<void> {
  const deadline = Date.now() + retryForMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await client.chat.postEphemeral(args);
      return;
    } catch (error) {
      const wait = notLandedWait(error, attempt);
      if (wait === undefined || Date.now() + wait > deadline) throw error;
      log.warn("a private reply did not land; trying again", {
        channel: args.channel,
        user: args.user,
        attempt,
        error: describeSlackError(error),
        retryInMs: wait,
      });
      await sleep(wait);
    }
  }
}

/** How long to wait before trying again, when the failure says the reply did not land; else undefined. */
function notLandedWait(error: unknown, attempt: number): number | undefined {
  const rateLimited = retryAfterMs(error);
  if (rateLimited !== undefined) return rateLimited;
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (code === ErrorCode.PlatformError && NOT_CARRIED_OUT.has(describeSlackError(error)))
    return Math.min(250 * 2 ** (attempt - 1), 2_000);
  return undefined;
}
