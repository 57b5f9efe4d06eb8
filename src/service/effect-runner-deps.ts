import type { StakeholderPoster, StatusPageClient } from "../core/communication-ports.js";
import type { HistoryStore } from "../core/history/history-port.js";
import type { ActionRunner, Leases, Logger, RunPublisher, RunStore, Scheduler } from "../core/ports.js";
import type { RunEvent } from "../core/run/run-schema.js";
import type { CarryOutDeps } from "./carry-out.js";

/** What the effect runner (effect-runner.ts) works with, and the timings tests shorten. */
export interface EffectRunnerDeps {
  store: RunStore;
  leases: Leases;
  publisher: RunPublisher;
  scheduler: Scheduler;
  actions?: ActionRunner;
  /** Live window communications: the stakeholders' channel and the status page. */
  stakeholders?: StakeholderPoster;
  statusPage?: StatusPageClient;
  /** Where closed runs' history goes (record_history effects). */
  history?: Pick<HistoryStore, "record">;
  /** GitHub and Jira: their own lane, so a refusing tracker holds back nothing else. */
  trackers?: CarryOutDeps["trackers"];
  /** Records a failure on the run through the engine. */
  report: (runId: string, event: RunEvent, eventId: string) => Promise<unknown>;
  log: Logger;
  now: () => Date;
  /** How long a lease lasts without renewal (ms); a dead process's runs wait at most this long. */
  leaseMs?: number;
  /** Thread lines arriving this close together go out as one message (ms). */
  lineBatchMs?: number;
  /** Retry delays after a transient failure (ms): first, then doubling up to max. */
  retryMs?: { first: number; max: number };
  /** Retry delay after a permanent Slack failure (ms): someone has to fix it first. */
  permanentRetryMs?: number;
  /**
   * How long a call another process (or this one before a restart) made may still be landing:
   * an effect it tried is looked for only once its try is this old (ms). The longest time a call
   * is waited for: the Web API client's and the trackers' timeout.
   */
  inFlightMs?: number;
  /** People are being answered on a full event loop: passes give way (keyed-passes.ts). */
  busy?: () => boolean;
  /**
   * The leases and the store share one connection that carries commands in order (one Redis,
   * not a Cluster). A pass then reads its outbox in the same round trip as its claim (sent after
   * it, so executed once the lease is held), and its "done" marks, the cleared entries and the
   * release go out together at its end (in that order, so the marks land before the lease is
   * free). Without it each waits for the one before.
   */
  inOrder?: boolean;
}
