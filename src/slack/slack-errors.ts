import { ErrorCode } from "@slack/web-api";

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
