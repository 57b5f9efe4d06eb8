import type { StakeholderPoster, StatusPageClient } from "../core/communication-ports.js";
import { asPreflightError } from "../core/errors.js";
import type { HistoryStore } from "../core/history/history-port.js";
import type {
  ActionRunner,
  EffectLedger,
  RunPublisher,
  RunStore,
  Scheduler,
  StoredEffect,
} from "../core/ports.js";
import { PREFLIGHT_USER, type Run, type RunEvent } from "../core/run/run-schema.js";

/** What carrying out one effect needs. */
export interface CarryOutDeps {
  store: Pick<RunStore, "redrawn">;
  publisher: RunPublisher;
  scheduler: Scheduler;
  actions?: ActionRunner;
  /** Where closed runs' history goes; without one, history effects are only marked done. */
  history?: Pick<HistoryStore, "record">;
  /** GitHub and Jira (src/tracker/tracker-runner.ts); without it, tracker effects are dropped. */
  trackers?: {
    carryOut(run: Run, stored: StoredEffect, ledger: EffectLedger): Promise<void>;
  };
  now: () => Date;
  /** Live window communications (communications.ts): the stakeholders' channel and status page. */
  stakeholders?: StakeholderPoster;
  statusPage?: StatusPageClient;
  /** Records a failure on the run through the engine. */
  report?: (runId: string, event: RunEvent, eventId: string) => Promise<unknown>;
}

/**
 * Carries out one stored effect and records it as done under its id. Every kind is idempotent
 * by its own means: Slack posts look for what landed (post-once.ts), BullMQ jobs have
 * deterministic ids, an AWS action's job is named by its start of the step.
 */
export async function carryOut(
  deps: CarryOutDeps,
  run: Run,
  stored: StoredEffect,
  ledger: EffectLedger,
): Promise<void> {
  const { store, publisher } = deps;
  const { effect, id } = stored;
  const done = () => ledger.mark(id, { status: "done", at: deps.now().toISOString() });
  switch (effect.type) {
    case "publish_run_message":
      await publisher.publish(run, id, ledger);
      // The post drew this version: no redraw of it is needed.
      return store.redrawn(run.id, run.version);
    case "run_closed":
      return publisher.postSummary(run, id, ledger);
    case "refresh_run_message":
      // Redraws are level-triggered (the stored version against the drawn one), not effects.
      return done();
    case "schedule_reminder":
      await deps.scheduler.scheduleReminder(effect.reminder);
      return done();
    case "cancel_reminders":
      await deps.scheduler.cancelReminders(effect.runId, { keepOnAbort: effect.keepOnAbort });
      return done();
    case "schedule_overrun_nudges":
      await deps.scheduler.scheduleOverrunNudges(run.id, effect.stepId, effect.at);
      return done();
    case "cancel_overrun_nudges":
      await deps.scheduler.cancelOverrunNudges(run.id, effect.stepId);
      return done();
    case "run_action":
      if (!deps.actions)
        throw new Error(
          `step ${effect.stepId} declares ${effect.action.type}, but no action runner is configured`,
        );
      // Idempotent: the job id names this start of the step.
      await deps.actions.run({
        runId: run.id,
        stepId: effect.stepId,
        action: effect.action,
        dryRun: effect.dryRun,
        jobKey: effect.jobKey,
      });
      return done();
    case "record_history":
      // Idempotent: the store keeps one entry per run, replaced only by a newer version's.
      await deps.history?.record(effect.entry);
      return done();
    case "post_activity":
    case "request_verification":
    case "request_approval":
      return publisher.postLines(run, [{ effectId: id, effect }], ledger);
    case "schedule_window_check":
      await deps.scheduler.scheduleWindowCheck?.(run.id, effect.at);
      return done();
    case "post_stakeholders":
      if (!deps.stakeholders) throw new Error("no stakeholder poster is configured");
      try {
        return await deps.stakeholders.post(run, id, effect, ledger);
      } catch (error) {
        const failure = asPreflightError(error);
        // A channel that does not exist (or refuses the bot) must not hold back the run's other
        // posts: recorded on the run once, for a person to fix; transient failures are retried.
        if (failure.code !== "slack_permanent") throw error;
        await deps.report?.(
          run.id,
          {
            type: "post_failed",
            what: `the stakeholder update (${effect.moment}) to ${effect.channel ?? "the run's thread"}`,
            error: failure.platformCode ?? failure.message,
            by: PREFLIGHT_USER,
          },
          `stakeholders.${id}`,
        );
        return done();
      }
    case "call_status_page": {
      if (!deps.statusPage) throw new Error("no status-page client is configured");
      // Tried once before and the answer lost: the Idempotency-Key lets the page ignore a repeat.
      await ledger.mark(id, { status: "tried", at: deps.now().toISOString() });
      const outcome = await deps.statusPage.call(id, effect);
      if (!outcome.ok)
        await deps.report?.(
          run.id,
          {
            type: "post_failed",
            what: `the status page update (${effect.moment}) to ${effect.url}`,
            error: outcome.error,
            by: PREFLIGHT_USER,
          },
          `status-page.${id}`,
        );
      return done();
    }
    case "tracker_comment":
    case "tracker_post_mortem":
    case "tracker_follow_up":
      if (!deps.trackers) return done();
      return deps.trackers.carryOut(run, stored, ledger);
  }
}
