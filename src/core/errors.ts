/**
 * The few kinds of failure Preflight tells apart, each with the words a person can act on.
 * Adapters turn what they catch into one of these (`asPreflightError`); listeners and workers
 * say `wordsFor(error)` and never an exception's own message.
 */

export const ERROR_CODES = [
  /** Redis did not answer (down, restarting, too slow). Nothing was saved. */
  "storage_unavailable",
  /** Too many people changed the same run at the same moment; nothing was saved. */
  "contention",
  /** Something read back from storage does not match its schema. */
  "corrupt_data",
  /** Slack refused for a reason retrying won't fix (not in channel, archived, missing scope, ...). */
  "slack_permanent",
  /** Slack was rate limiting or failing for a while (429, 5xx, timeout): retry later. */
  "slack_transient",
  /** AWS refused or failed. */
  "aws",
  /** A mistake in Preflight itself. */
  "bug",
  /** GitHub or Jira refused or failed (src/tracker); the platform code is the HTTP status. */
  "tracker",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class PreflightError extends Error {
  readonly code: ErrorCode;
  readonly original: unknown;
  /** Slack's error code (`not_in_channel`) or AWS's (`AccessDenied`), when there is one. */
  readonly platformCode: string | undefined;
  /** How long the platform asked us to wait (Retry-After), when it did. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { original?: unknown; platformCode?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = "PreflightError";
    this.code = code;
    this.original = options.original;
    this.platformCode = options.platformCode;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isPreflightError(error: unknown): error is PreflightError {
  return error instanceof PreflightError;
}

/** Anything thrown, as a PreflightError: what is not already classified is a bug. */
export function asPreflightError(error: unknown): PreflightError {
  if (isPreflightError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new PreflightError("bug", message, { original: error });
}

/** Failures worth another attempt later, on their own. */
export function isTransient(error: PreflightError): boolean {
  return (
    error.code === "storage_unavailable" || error.code === "contention" || error.code === "slack_transient"
  );
}

/** A short id to find a bug's log line from what a person was told. */
export function incidentId(now: Date, random: () => number = Math.random): string {
  const stamp = now.getTime().toString(36);
  const salt = Math.floor(random() * 36 ** 4)
    .toString(36)
    .padStart(4, "0");
  return `E-${stamp}-${salt}`;
}

/** The one place that turns a failure into words for the person who asked. */
export function wordsFor(error: PreflightError, incident?: string): string {
  switch (error.code) {
    case "storage_unavailable":
      return "Preflight could not save this: its storage is unavailable. Try again in a minute.";
    case "contention":
      return "Too many changes reached this run at the same moment, so this one was not saved. Try again.";
    case "corrupt_data":
      return `Preflight found stored data it can't read, so nothing was changed; it was logged${incident ? ` as ${incident}` : ""}. Tell the bot's maintainers.`;
    case "slack_permanent":
      return `Slack refused the request (${error.platformCode ?? "error"}). ${slackFix(error.platformCode)}`;
    case "slack_transient":
      return "Slack is busy or failing right now; Preflight keeps trying. Nothing you did was lost.";
    case "aws":
      return `AWS refused the request (${error.platformCode ?? "error"}): ${error.message}`;
    case "tracker":
      return `The issue tracker did not take it: ${error.message}`;
    case "bug":
      return `Something went wrong inside Preflight; it was logged${incident ? ` as ${incident}` : ""}. Nothing was changed. Tell the bot's maintainers if it happens again.`;
  }
}

/** What a person can do about a permanent Slack error. */
export function slackFix(platformCode: string | undefined, channel?: string): string {
  const where = channel ? `<#${channel}>` : "the channel";
  switch (platformCode) {
    case "not_in_channel":
      return `Invite Preflight to ${where} (\`/invite @Preflight\`); the run's message catches up by itself.`;
    case "channel_not_found":
      return `Preflight can't see ${where}: invite it there (\`/invite @Preflight\`), or start the run in a channel it is in.`;
    case "is_archived":
      return `${where} is archived: unarchive it, or abort this run and start it in another channel.`;
    case "msg_too_long":
      return "The message was too long for Slack. Tell the bot's maintainers; the run itself is safe.";
    case "missing_scope":
      return "The Slack app lacks a permission: reinstall it from manifest.yml so it has every scope it needs.";
    case "invalid_auth":
    case "account_inactive":
    case "token_revoked":
      return "The bot's token is no longer valid: reinstall the app and update SLACK_BOT_TOKEN.";
    case "restricted_action":
      return `A workspace setting forbids Preflight to post in ${where}: ask a Slack admin to allow it.`;
    default:
      return "Tell the bot's maintainers; the run itself is safe.";
  }
}
