import type { ChecklistCatalog, Logger, MessageRefs } from "../core/ports.js";
import type { RunService } from "../service/run-service.js";

/** What the Slack listeners need; main.ts builds it. */
export interface SlackDeps {
  service: RunService;
  catalog: ChecklistCatalog;
  log: Logger;
  refs: MessageRefs;
  ackDeadlineMs?: number;
}
