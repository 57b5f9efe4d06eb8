import { ErrorCode } from "@slack/web-api";
import { asPreflightError, isPreflightError, PreflightError } from "../core/errors.js";

/** Slack's Retry-After in ms when the error is a rate limit (429), else undefined. */
export function retryAfterMs(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, retryAfter } = error as { code?: unknown; retryAfter?: unknown };
  if (code !== ErrorCode.RateLimitedError) return undefined;
  return typeof retryAfter === "number" ? Math.max(retryAfter, 0.05) * 1000 : 1000;
}

/** The Slack error code (`channel_not_found`) or the message: for logs, never for users. */
export function describeSlackError(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const data = (error as { data?: { error?: unknown } }).data;
    if (typeof data?.error === "string") return data.error;
    if (error instanceof Error) return error.message;
  }
  return String(error);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Slack errors that retrying does not fix: a person has to act (invite the bot, reinstall it). */
export const PERMANENT_SLACK_ERRORS = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "msg_too_long",
  "missing_scope",
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "restricted_action",
  "invalid_blocks",
  "invalid_arguments",
  "no_text",
  "too_many_attachments",
  "message_not_found",
  "cant_update_message",
  "edit_window_closed",
  "thread_not_found",
]);

/**
 * What a failed Web API call means for whoever called it: a rate limit (wait Retry-After),
 * a transient failure (5xx, timeout, network: retry later) or a permanent one (record it and
 * tell a person what to do).
 */
export function classifySlackError(error: unknown): PreflightError {
  if (isPreflightError(error)) return error;
  const wait = retryAfterMs(error);
  const code = describeSlackError(error);
  if (wait !== undefined)
    return new PreflightError("slack_transient", "rate limited", {
      original: error,
      platformCode: "ratelimited",
      retryAfterMs: wait,
    });
  const kind = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (kind === ErrorCode.PlatformError) {
    if (PERMANENT_SLACK_ERRORS.has(code))
      return new PreflightError("slack_permanent", code, { original: error, platformCode: code });
    // ratelimited / internal_error / fatal_error / service_unavailable answered as ok:false
    return new PreflightError("slack_transient", code, { original: error, platformCode: code });
  }
  // HTTP errors (5xx), request errors (network, timeout): Slack's client says so by its code.
  if (typeof kind === "string" && kind.startsWith("slack_"))
    return new PreflightError("slack_transient", code, { original: error, platformCode: code });
  // Anything else was not Slack's doing.
  return asPreflightError(error);
}
