import type { Answer } from "./slack-limits.js";
import type { UserGroup } from "./slack-people.js";

/** What the local Slack Web API (slack-api.ts) records and offers to tests and the sandbox. */

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  at: number;
  /** HTTP status of the answer: 0 while still pending, 429 when rate limited. */
  status: number;
  /** Slack error code when the answer was `ok: false`. */
  error?: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  user?: string;
  /** Message metadata as posted (`event_type`, `event_payload`); returned with include_all_metadata. */
  metadata?: unknown;
  /** Files shared with the message (an upload completed into a channel or thread). */
  files?: { id: string; name: string; title?: string }[];
  updates: number;
}

export interface StoredUpload {
  fileId: string;
  filename: string;
  length: number;
  content: Buffer;
  /** Bytes arrived at the upload URL. */
  uploaded: boolean;
  completed: boolean;
  channel?: string;
  threadTs?: string;
  title?: string;
  initialComment?: string;
}

export interface SlackApiDouble {
  url: string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  messages(channel: string): StoredMessage[];
  thread(channel: string, threadTs: string): StoredMessage[];
  message(channel: string, ts: string): StoredMessage | undefined;
  ephemerals(channel?: string): RecordedCall[];
  uploads: StoredUpload[];
  /** A response_url the double answers; what is posted to it lands in `responses`. */
  responseUrl(id?: string): string;
  responses: { path: string; body: unknown }[];
  failNext(method: string, error: string, times?: number): void;
  rateLimitNext(method: string, retryAfterSeconds: number, times?: number): void;
  /** Ends the rate limits `rateLimitNext` set on `method` (a limit held until the test lets go). */
  liftRateLimit(method: string): void;
  delayNext(method: string, ms: number, times?: number): void;
  /** Calls `delayNext` holds answer now, and no more are held. */
  endDelays(): void;
  /** A message a person wrote (the sandbox's message box); stored like the bot's. */
  postAsUser(message: { channel: string; user: string; text: string; thread_ts?: string }): StoredMessage;
  /** Carries the call out, then answers HTTP 500 as if the answer was lost on the way back. */
  loseAnswerNext(method: string, times?: number): void;
  /** Answers HTTP `status` (500, 503) without carrying the call out. */
  serverErrorNext(method: string, status?: number, times?: number): void;
  /** Every call of `method` answers `ok:false` with `error` until `clearFailures` (a permanent fault). */
  failAlways(method: string, error: string, channel?: string): void;
  clearFailures(): void;
  setUser(user: {
    id: string;
    name?: string;
    tz?: string;
    tz_offset?: number;
    is_bot?: boolean;
    deleted?: boolean;
  }): void;
  /** A user group (usergroups.list, usergroups.users.list answer it). */
  setUserGroup(group: UserGroup): void;
  /** The Home tab last published (views.publish) for a person. */
  homeView(user: string): { blocks?: unknown[] } | undefined;
  /** Answer every call made with this token with `error` (invalid_auth unless told), as Slack does. */
  refuseToken(token: string, error?: string): void;
  waitFor<T>(probe: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  reset(): void;
  close(): Promise<void>;
}

export interface SlackApiDoubleOptions {
  botUserId?: string;
  teamId?: string;
  /** Message timestamps follow this clock (ms); the real time by default. */
  now?: () => number;
  /** Known channels: `#name` resolves to the id, conversations.info answers the name. */
  channels?: { id: string; name: string }[];
  /** Where chat.getPermalink points (the sandbox's page); Slack's workspace URL by default. */
  workspaceUrl?: string;
  /** Told about every answered call (the sandbox's page listens). */
  onCall?: (call: RecordedCall, answer: Answer) => void;
  /** Slack's per-channel pace for chat.postMessage (about 1/s, burst 5): 429 beyond it. */
  channelPace?: { perSecond: number; burst: number };
}
