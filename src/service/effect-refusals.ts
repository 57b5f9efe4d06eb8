import type { PreflightError } from "../core/errors.js";
import type { EffectLedger, RunPublisher, RunStore, StoredEffect } from "../core/ports.js";
import { PREFLIGHT_USER, type Run, type RunEvent } from "../core/run/run-schema.js";
import { describeEffect, unwatched } from "./effect-lanes.js";

/**
 * What Slack refusing an effect for good (not_in_channel, a revoked token…) means for its run.
 * Returns true when the effect is settled (nobody will ever see it posted), false when it is kept
 * and tried again slowly, so the thread catches up once someone fixes the cause.
 */
export async function refusedForGood(
  deps: {
    store: Pick<RunStore, "markEffect">;
    publisher: Pick<RunPublisher, "tellOwner">;
    report: (runId: string, event: RunEvent, eventId: string) => Promise<unknown>;
    now: () => Date;
  },
  run: Run,
  stored: StoredEffect,
  error: PreflightError,
  ledger: EffectLedger,
): Promise<boolean> {
  const code = error.platformCode ?? error.message;
  if (unwatched(stored, ledger) && run.status === "active") {
    // Nobody could watch this run: it is not left active. The starter is told by the start.
    await deps
      .report(
        run.id,
        { type: "run_message_failed", error: code, by: PREFLIGHT_USER },
        `undelivered.${stored.id}`,
      )
      .catch(() => undefined);
    await deps.publisher.tellOwner(run, `publish:${error.platformCode}`, error.platformCode ?? "error");
    await deps.store.markEffect(run.id, stored.id, { status: "done", at: deps.now().toISOString() });
    return true;
  }
  const event: RunEvent = {
    type: "post_failed",
    what: describeEffect(stored, ledger),
    error: `${code} (kept, and posted once Slack accepts it)`,
    by: PREFLIGHT_USER,
  };
  await deps.report(run.id, event, `undelivered.${error.platformCode}.${stored.id}`).catch(() => undefined);
  await deps.publisher
    .tellOwner(run, `slack:${error.platformCode}`, error.platformCode ?? "error")
    .catch(() => undefined);
  return false;
}
