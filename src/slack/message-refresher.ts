import type { WebClient } from "@slack/web-api";
import type { Logger, MessageRefs, RunStore } from "../core/ports.js";
import { renderRunMessage } from "./render/run-message.js";
import { describeSlackError, retryAfterMs, sleep } from "./slack-errors.js";

/**
 * Redraws run messages with `chat.update` (Tier 3, ~50/min). Requests for one run coalesce:
 * while an update is in flight, more requests only mark the run dirty, and the next update
 * renders the latest stored state. After each update the stored version is checked again, so
 * the message converges on the last state even when another process refreshed it in between,
 * and a 429 waits for Retry-After and then draws the latest state.
 */

const MAX_FAILURES = 3;

export interface MessageRefresher {
  request(runId: string): void;
  /** Resolves when no refresh is pending (tests, shutdown). */
  idle(): Promise<void>;
}

export function createMessageRefresher(deps: {
  client: WebClient;
  store: RunStore;
  refs: MessageRefs;
  log: Logger;
  now?: () => Date;
}): MessageRefresher {
  const now = deps.now ?? (() => new Date());
  const pending = new Map<string, { dirty: boolean; done: Promise<void> }>();

  function request(runId: string): void {
    const existing = pending.get(runId);
    if (existing) {
      existing.dirty = true;
      return;
    }
    const entry = { dirty: true, done: Promise.resolve() };
    pending.set(runId, entry);
    entry.done = refreshUntilClean(runId, entry).finally(() => pending.delete(runId));
  }

  async function refreshUntilClean(runId: string, entry: { dirty: boolean }): Promise<void> {
    let failures = 0;
    while (entry.dirty) {
      entry.dirty = false;
      try {
        const version = await refreshOnce(runId);
        const latest = await deps.store.get(runId);
        if (version !== undefined && latest && latest.version !== version) entry.dirty = true;
      } catch (error) {
        const wait = retryAfterMs(error);
        entry.dirty = true;
        if (wait !== undefined) {
          deps.log.warn("chat.update rate-limited; retrying with the latest state", {
            runId,
            retryAfterMs: wait,
          });
          await sleep(wait);
          continue;
        }
        failures += 1;
        deps.log.error("refreshing the run message failed", {
          runId,
          error: describeSlackError(error),
          attempt: failures,
        });
        if (failures >= MAX_FAILURES) return;
        await sleep(200 * failures);
      }
    }
  }

  /** Draws the stored run; returns the version drawn, or undefined when there is nothing to draw. */
  async function refreshOnce(runId: string): Promise<number | undefined> {
    const [run, ref] = await Promise.all([deps.store.get(runId), deps.refs.get(runId)]);
    if (!run || !ref) {
      deps.log.warn("no run message to refresh", { runId });
      return undefined;
    }
    const message = renderRunMessage(run, now());
    await deps.client.chat.update({
      channel: ref.channel,
      ts: ref.ts,
      text: message.text,
      blocks: message.blocks,
    });
    return run.version;
  }

  async function idle(): Promise<void> {
    while (pending.size > 0) await Promise.all([...pending.values()].map((entry) => entry.done));
  }

  return { request, idle };
}
