import type {
  ActionRunner,
  EffectLedger,
  RunPublisher,
  RunStore,
  Scheduler,
  StoredEffect,
} from "../core/ports.js";
import type { Run } from "../core/run/run-schema.js";

/** What carrying out one effect needs. */
export interface CarryOutDeps {
  store: Pick<RunStore, "redrawn">;
  publisher: RunPublisher;
  scheduler: Scheduler;
  actions?: ActionRunner;
  /** GitHub and Jira (src/tracker/tracker-runner.ts); without it, tracker effects are dropped. */
  trackers?: {
    carryOut(run: Run, stored: StoredEffect, ledger: EffectLedger): Promise<void>;
  };
  now: () => Date;
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
    case "post_activity":
    case "request_verification":
    case "request_approval":
      return publisher.postLines(run, [{ effectId: id, effect }], ledger);
    case "tracker_comment":
    case "tracker_post_mortem":
    case "tracker_follow_up":
      if (!deps.trackers) return done();
      return deps.trackers.carryOut(run, stored, ledger);
  }
}
