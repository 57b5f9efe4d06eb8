import type { TicketRef, TrackerName } from "../core/tracker/ticket.js";

/**
 * What Preflight asks of an issue tracker. Two adapters implement it: GitHub through
 * @octokit/rest (github-tracker.ts) and Jira through jira.js (jira-tracker.ts). Every body they
 * write carries a marker naming the effect that wrote it, so a lost answer is settled by
 * looking for it before writing again.
 */

export interface TrackerIssueRef {
  /** `acme/ops#57` or `OPS-12`. */
  ref: string;
  url: string;
}

/** Where a post-mortem issue goes. */
export type IssuePlace =
  | { tracker: "github"; owner: string; repo: string; labels: string[] }
  | { tracker: "jira"; project: string; issueType: string; subtaskType: string; labels: string[] };

export interface NewIssue {
  title: string;
  body: string;
  /** Jira: the post-mortem a follow-up is a sub-task of. */
  parent?: string;
}

export interface TrackerClient {
  readonly name: TrackerName;
  /** The variable whose token a refusal is about (GITHUB_TOKEN, JIRA_API_TOKEN, JIRA_PAT). */
  readonly tokenVariable: string;
  /** The body with the effect's marker (GitHub: a hidden HTML comment; Jira: a last line). */
  withMarker(body: string, effectId: string): string;
  /** Whether a comment carrying the marker is on the ticket already. */
  hasComment(ticket: TicketRef, effectId: string): Promise<boolean>;
  addComment(ticket: TicketRef, body: string): Promise<void>;
  /** The ticket's web page as the tracker gives it. */
  ticketLink(ticket: TicketRef): Promise<string>;
  /** An issue whose body carries the marker, created in `place` (or under `parent`). */
  findIssue(place: IssuePlace, effectId: string, parent?: string): Promise<TrackerIssueRef | undefined>;
  createIssue(place: IssuePlace, issue: NewIssue): Promise<TrackerIssueRef>;
  /** The issue's body now; its marker is kept by whoever edits it. */
  issueBody(ref: string): Promise<string>;
  updateIssue(ref: string, body: string): Promise<void>;
  issueState(ref: string): Promise<"open" | "closed">;
  /** Checks the token (GitHub: GET /user; Jira: GET myself). */
  checkToken(): Promise<void>;
}

/** Whether a failure goes away by waiting (429, 5xx, timeouts) or needs a person (401, 403, 404). */
export class TrackerError extends Error {
  constructor(
    readonly tracker: TrackerName,
    readonly kind: "transient" | "permanent",
    readonly status: number | undefined,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "TrackerError";
  }
}

/** Sorts an HTTP failure of either client. */
export function classifyHttp(
  tracker: TrackerName,
  status: number | undefined,
  headers: Record<string, unknown> | undefined,
  message: string,
): TrackerError {
  const retryAfter = Number(headers?.["retry-after"]);
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1_000 : undefined;
  const rateLimited =
    status === 429 ||
    (status === 403 && (retryAfterMs !== undefined || headers?.["x-ratelimit-remaining"] === "0"));
  if (status === undefined || status >= 500 || rateLimited || status === 408)
    return new TrackerError(tracker, "transient", status, message, retryAfterMs);
  return new TrackerError(tracker, "permanent", status, message);
}

export function trackerMarker(effectId: string): string {
  return `preflight:${effectId}`;
}

/** The last line of a body with text on it, trimmed: where Preflight writes its marker. */
export function lastLine(body: string | null | undefined): string {
  return (body ?? "").trimEnd().split("\n").at(-1)?.trim() ?? "";
}
