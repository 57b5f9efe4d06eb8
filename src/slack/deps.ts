import type { ChecklistCatalog, Logger, MessageRefs } from "../core/ports.js";
import type { TimerQueue } from "../scheduler/bullmq-scheduler.js";
import type { RunService } from "../service/run-service.js";
import type { WindowService } from "../service/window-service.js";
import type { ThreadPoster } from "./thread-poster.js";

/** What the Slack listeners need; main.ts builds it. */
export interface SlackDeps {
  service: RunService;
  catalog: ChecklistCatalog;
  log: Logger;
  refs: MessageRefs;
  windows: WindowService;
  timers: Pick<TimerQueue, "snoozeReminder" | "pendingInChannel">;
  thread: ThreadPoster;
  now?: () => Date;
  ackDeadlineMs?: number;
}
