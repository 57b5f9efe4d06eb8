import { asPreflightError } from "../core/errors.js";
import type { Leases, Logger, RunPublisher, RunStore } from "../core/ports.js";
import type { Run } from "../core/run/run-schema.js";
import { createKeyedPasses, type Pass } from "../service/keyed-passes.js";
import { createLru } from "../store/lru.js";

/** Runs whose last draw this process remembers (pacing needs only the last second's). */
const REMEMBERED_RUNS = 2_000;

/**
 * Keeps every run message equal to its stored run. Level-triggered: each commit records the
 * version the message should show (`redrawsWanted`); a redraw renders the state stored at that
 * moment and clears the wish only if no newer version came meanwhile. Whatever happened — a
 * crash between a commit and its redraw, a 429, Slack down, the bot not in the channel — the
 * next redraw after Slack answers again draws the stored state.
 *
 * Paced for chat.update (Tier 3, ~50/min): at most one update per message per `minIntervalMs`,
 * requests in between coalesce, and a 429 pauses every update for its Retry-After.
 */

export interface MessageRefresher {
  /**
   * This run changed: redraw it soon (coalesced, paced). `committed`, the state just stored,
   * spares the redraw a read; the newest one handed in wins.
   */
  request(runId: string, committed?: Run): void;
  /** Redraws every run whose message is behind its stored state (other processes, crashes). */
  sweep(): Promise<void>;
  /** Resolves when no redraw is pending in this process (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

export function createMessageRefresher(deps: {
  store: RunStore;
  leases: Leases;
  publisher: RunPublisher;
  log: Logger;
  /** At most one chat.update per message in this interval (ms). */
  minIntervalMs?: number;
  /** After a permanent Slack error, try again this much later (ms). */
  permanentRetryMs?: number;
  /** After a transient failure, try again after `first` ms, doubling up to `max` (tests shorten it). */
  retryMs?: { first: number; max: number };
  /** People are being answered on a full event loop: redraws give way (keyed-passes.ts). */
  busy?: () => boolean;
}): MessageRefresher {
  const minIntervalMs = deps.minIntervalMs ?? 1_000;
  const permanentRetryMs = deps.permanentRetryMs ?? 30_000;
  const retry = deps.retryMs ?? { first: 500, max: 30_000 };
  const passes = createKeyedPasses(
    async (runId, pass) => {
      await paced(runId);
      await drawOnce(runId, pass);
    },
    { busy: deps.busy },
  );
  // Bounded: memory does not grow with the runs a long-lived process has drawn.
  const lastDrawn = createLru<string, number>(REMEMBERED_RUNS);
  /** The version this process last drew for each run (redundant requests draw nothing). */
  const drawnVersion = createLru<string, number>(REMEMBERED_RUNS);
  const notBefore = new Map<string, { until: number; failures: number }>();
  /** The newest committed state handed in per run, until it is drawn (one per pending run). */
  const handedIn = new Map<string, Run>();
  /** chat.update is paused app-wide until then (a 429's Retry-After). */
  let pausedUntil = 0;
  let stopped = false;

  function request(runId: string, committed?: Run): void {
    if (stopped) return;
    if (committed && committed.version > (handedIn.get(runId)?.version ?? -1)) handedIn.set(runId, committed);
    void passes.request(runId);
  }

  async function paced(runId: string): Promise<void> {
    const now = Date.now();
    const wait = Math.max(
      (lastDrawn.get(runId) ?? 0) + minIntervalMs - now,
      pausedUntil - now,
      (notBefore.get(runId)?.until ?? 0) - now,
    );
    if (wait > 0) await sleep(wait);
  }

  async function drawOnce(runId: string, pass: Pass): Promise<void> {
    let token: string | undefined;
    try {
      token = await deps.leases.acquire(`draw:${runId}`, 10_000);
      // Another process is drawing it; if it dies, the sweep finds the wish still there.
      if (!token) return;
      const given = handedIn.get(runId);
      handedIn.delete(runId);
      // A state handed in is at least as new as what this process committed; another process's
      // newer commit keeps its wish in Redis (`redrawn` below clears only up to this version).
      // The wish cleared and the lease released in one round trip. Their order does not matter:
      // the clearing removes a wish for `version` or older only, never a newer one another
      // process left after taking the lease.
      const redrawnAndReleased = async (version: number) => {
        const held = token as string;
        token = undefined;
        await Promise.all([
          deps.store.redrawn(runId, version),
          deps.leases.release(`draw:${runId}`, held).catch(() => undefined),
        ]);
      };
      const run = given ?? (await deps.store.get(runId));
      if (!run) {
        await redrawnAndReleased(Number.MAX_SAFE_INTEGER);
        return;
      }
      if (drawnVersion.get(runId) === run.version) {
        await redrawnAndReleased(run.version);
        return;
      }
      lastDrawn.set(runId, Date.now());
      const outcome = await deps.publisher.redraw(run);
      if (outcome === "drawn") drawnVersion.set(runId, run.version);
      // Never posted: the post draws it; a run closed without a message has nothing to draw.
      if (outcome === "not_posted" && run.status === "active") return;
      await redrawnAndReleased(run.version);
      notBefore.delete(runId);
    } catch (error) {
      const failure = asPreflightError(error);
      const failures = (notBefore.get(runId)?.failures ?? 0) + 1;
      if (failure.retryAfterMs !== undefined) {
        pausedUntil = Math.max(pausedUntil, Date.now() + failure.retryAfterMs);
        deps.log.warn("chat.update rate-limited; every redraw waits, then draws the latest state", {
          runId,
          retryAfterMs: failure.retryAfterMs,
        });
      } else {
        const delay =
          failure.code === "slack_permanent"
            ? permanentRetryMs
            : Math.min(retry.max, retry.first * 2 ** (failures - 1));
        notBefore.set(runId, { until: Date.now() + delay, failures });
        deps.log.error("refreshing the run message failed", {
          runId,
          code: failure.code,
          error: failure.platformCode ?? failure.message,
          retryInMs: delay,
        });
        if (failure.code === "slack_permanent") {
          const run = await deps.store.get(runId).catch(() => undefined);
          if (run)
            await deps.publisher
              .tellOwner(run, `slack:${failure.platformCode}`, failure.platformCode ?? "error")
              .catch(() => undefined);
          // The sweep tries again once the delay has passed.
          return;
        }
      }
      pass.again = true;
    } finally {
      if (token) await deps.leases.release(`draw:${runId}`, token).catch(() => undefined);
    }
  }

  async function sweep(): Promise<void> {
    const wanted = await deps.store.redrawsWanted();
    const now = Date.now();
    for (const { runId } of wanted) {
      if ((notBefore.get(runId)?.until ?? 0) > now) continue;
      request(runId);
    }
  }

  return {
    request,
    sweep,
    idle: passes.idle,
    stop: () => {
      stopped = true;
      passes.stop();
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
