import type { WebClient } from "@slack/web-api";
import type { PeopleDirectory } from "../core/people-directory.js";
import type { ChecklistCatalog, Logger, MessageRefs, Metrics } from "../core/ports.js";
import type { RdsGateway } from "../core/rds.js";
import type { PendingJob } from "../core/timed-jobs.js";
import type { RunService } from "../service/run-service.js";
import type { WindowService } from "../service/window-service.js";
import type { SummaryPoster } from "./summary-poster.js";

/** What the Slack listeners need; main.ts builds it. */
export interface SlackDeps {
  service: RunService;
  /**
   * The bot's own Web API client (lean-web-client.ts): no retries of its own, rate limits
   * rejected. What a listener posts exactly once (post-once.ts) goes through it: Bolt's
   * per-request client retries by itself and would post again after a lost answer.
   */
  botClient: WebClient;
  /** Waits between tries of a post a listener makes itself (a window's announcement): first, at most (ms). */
  retryMs?: { first: number; max: number };
  catalog: ChecklistCatalog;
  log: Logger;
  refs: MessageRefs;
  windows: WindowService;
  /** What is pending in a channel, for `/maintenance reminders`. */
  timers: { pendingInChannel(channel: string): Promise<PendingJob[]> };
  /** AWS RDS, for the snapshot deletion offered on a reminder. */
  rds: RdsGateway;
  defaultRegion: string;
  summaries: SummaryPoster;
  /** Group members and display names (App Home, who may); absent in tests that need none. */
  people?: PeopleDirectory;
  now?: () => Date;
  ackDeadlineMs?: number;
  /**
   * Socket Mode: how long a pong may be late before the socket is dropped, which is also the wait
   * before reconnecting (ms; the client's default, 5 s, when absent). Tests shorten it.
   */
  socketPingTimeoutMs?: number;
  /** Acknowledgement latency, clicks by outcome, Slack calls (noMetrics when absent). */
  metrics?: Metrics;
}
