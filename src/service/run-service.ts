import { randomBytes } from "node:crypto";
import type {
  ActionRunner,
  ChecklistCatalog,
  Logger,
  RunPublisher,
  RunStore,
  Scheduler,
  UpdateResult,
} from "../core/ports.js";
import { applyEvent } from "../core/run/apply-event.js";
import { createRun, type ParameterError } from "../core/run/create-run.js";
import type { Effect } from "../core/run/effects.js";
import type { Run, RunEvent } from "../core/run/run-schema.js";

/**
 * The run service: the one place where the pure engine meets storage and the outside world.
 * State changes are stored first; effects (Slack, reminders, AWS) are carried out after, and a
 * failing effect is logged with the run id — it never undoes or loses the stored change.
 */

export interface RunServiceDeps {
  store: RunStore;
  catalog: ChecklistCatalog;
  publisher: RunPublisher;
  scheduler: Scheduler;
  actions?: ActionRunner;
  log: Logger;
  now?: () => Date;
  newRunId?: () => string;
}

export interface StartRequest {
  checklistId: string;
  params: Record<string, string>;
  channel: string;
  owner: string;
  buddy?: string;
  dryRun?: boolean;
}

export type StartOutcome =
  | { ok: true; run: Run }
  | { ok: false; message: string; missing?: string[]; parameterErrors?: ParameterError[] };

export interface ActOutcome {
  result: UpdateResult;
  /** Settles when the effects of an applied event have been carried out (or logged as failed). */
  effectsDone: Promise<void>;
}

/** Run ids: short, readable in commands, never all digits, no ':' (BullMQ job ids). */
export function newRunId(): string {
  return `r-${Date.now().toString(36)}-${randomBytes(2).toString("hex")}`;
}

export type RunService = ReturnType<typeof createRunService>;

export function createRunService(deps: RunServiceDeps) {
  const now = deps.now ?? (() => new Date());
  const makeId = deps.newRunId ?? newRunId;
  const { store, catalog, publisher, scheduler, log } = deps;

  async function startRun(request: StartRequest): Promise<StartOutcome> {
    const entry = catalog.get(request.checklistId);
    if (!entry) return { ok: false, message: unknownChecklist(request.checklistId) };
    const result = createRun({
      id: makeId(),
      checklist: entry.checklist,
      source: { hash: entry.hash, file: entry.file },
      params: request.params,
      channel: request.channel,
      owner: request.owner,
      now: now(),
      priorRuns: await store.priorRuns(entry.checklist.id),
      ...(request.buddy !== undefined ? { buddy: request.buddy } : {}),
      ...(request.dryRun !== undefined ? { dryRun: request.dryRun } : {}),
    });
    if (!result.ok) {
      return {
        ok: false,
        message: result.refusal.message,
        ...(result.missing ? { missing: result.missing } : {}),
        ...(result.parameterErrors ? { parameterErrors: result.parameterErrors } : {}),
      };
    }
    await store.create(result.run);
    await publisher.publish(result.run);
    await carryOut(
      result.run,
      result.effects.filter((effect) => effect.type !== "refresh_run_message"),
    );
    log.info("run started", {
      runId: result.run.id,
      checklist: entry.checklist.id,
      channel: request.channel,
    });
    return { ok: true, run: result.run };
  }

  /** Applies one event. `eventId` identifies the click or delivery: the same id applies once. */
  async function act(runId: string, event: RunEvent, eventId: string): Promise<ActOutcome> {
    const at = now();
    const result = await store.update(runId, {
      eventId,
      by: event.by,
      type: event.type,
      at,
      decide: (run) => applyEvent(run, event, at),
    });
    if (result.status === "applied") {
      return { result, effectsDone: carryOut(result.run, result.decision.effects) };
    }
    // Whoever clicked saw an outdated message: redraw it so they see what changed.
    if (result.status === "refused" && result.refusal.code === "stale") publisher.refresh(runId);
    return { result, effectsDone: Promise.resolve() };
  }

  async function carryOut(run: Run, effects: readonly Effect[]): Promise<void> {
    for (const effect of effects) {
      try {
        await carryOutOne(run, effect);
      } catch (error) {
        log.error("effect failed; the run's state is stored, the effect was not carried out", {
          runId: run.id,
          effect: effect.type,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  async function carryOutOne(run: Run, effect: Effect): Promise<void> {
    switch (effect.type) {
      case "refresh_run_message":
        return publisher.refresh(run.id);
      case "post_activity":
        return publisher.postActivity(run, effect.activity);
      case "request_verification":
        return publisher.requestVerification(run, effect.stepId, effect.completedBy, effect.ask);
      case "request_approval":
        return publisher.requestApproval(run, effect.stepId, effect.requestedBy, effect.ask);
      case "schedule_reminder":
        return scheduler.scheduleReminder(effect.reminder);
      case "cancel_reminders":
        return scheduler.cancelReminders(effect.runId, { keepOnAbort: effect.keepOnAbort });
      case "schedule_overrun_nudges":
        return scheduler.scheduleOverrunNudges(run.id, effect.stepId, effect.at);
      case "cancel_overrun_nudges":
        return scheduler.cancelOverrunNudges(run.id, effect.stepId);
      case "run_action":
        if (!deps.actions)
          throw new Error(
            `step ${effect.stepId} declares ${effect.action.type}, but no action runner is configured`,
          );
        return deps.actions.run(run, effect.stepId, effect.action, effect.dryRun);
      case "run_closed":
        return publisher.runClosed(run, effect.outcome);
    }
  }

  function unknownChecklist(id: string): string {
    const ids = catalog.list().map((entry) => entry.checklist.id);
    return `There is no checklist "${id}". Available: ${ids.length > 0 ? ids.join(", ") : "none (check CHECKLISTS_DIR)"}.`;
  }

  return {
    startRun,
    act,
    carryOut,
    get: store.get,
    activeRuns: store.activeRuns,
    record: store.record,
    unknownChecklist,
  };
}
