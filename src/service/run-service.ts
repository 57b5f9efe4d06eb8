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

/**
 * Effects that must happen even if the process dies right after the state change: they are kept
 * in the outbox until carried out, and carried out again on recovery. All are idempotent (job
 * ids name the reminder, the nudge or the start of the step). Messages are not kept: a redraw or
 * a thread line lost in a crash is not worth a duplicate.
 */
const DURABLE_EFFECTS = new Set<Effect["type"]>([
  "schedule_reminder",
  "cancel_reminders",
  "schedule_overrun_nudges",
  "cancel_overrun_nudges",
  "run_action",
  "run_closed",
]);
const durable = (effects: readonly Effect[]) => effects.filter((effect) => DURABLE_EFFECTS.has(effect.type));

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
  /** Break-glass reason to start past the environment gate (a second person must approve). */
  override?: string;
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
      source: { hash: entry.hash, file: entry.file, ...(entry.commit ? { commit: entry.commit } : {}) },
      params: request.params,
      channel: request.channel,
      owner: request.owner,
      now: now(),
      priorRuns: await store.priorRuns(entry.checklist.id),
      ...(request.buddy !== undefined ? { buddy: request.buddy } : {}),
      ...(request.dryRun !== undefined ? { dryRun: request.dryRun } : {}),
      ...(request.override !== undefined ? { override: request.override } : {}),
    });
    if (!result.ok) {
      return {
        ok: false,
        message: result.refusal.message,
        ...(result.missing ? { missing: result.missing } : {}),
        ...(result.parameterErrors ? { parameterErrors: result.parameterErrors } : {}),
      };
    }
    const outboxId = await store.create(result.run, durable(result.effects));
    await publisher.publish(result.run);
    const first = result.effects.filter((effect) => effect.type !== "refresh_run_message");
    await carryOutAndClear(result.run, first, outboxId);
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
      keep: durable,
    });
    if (result.status === "applied") {
      return { result, effectsDone: carryOutAndClear(result.run, result.decision.effects, result.outboxId) };
    }
    // Whoever clicked saw an outdated message: redraw it so they see what changed.
    if (result.status === "refused" && result.refusal.code === "stale") publisher.refresh(runId);
    return { result, effectsDone: Promise.resolve() };
  }

  /** Carries out effects; the outbox entry goes only when every effect that must not be lost succeeded. */
  async function carryOutAndClear(run: Run, effects: readonly Effect[], outboxId: string): Promise<void> {
    const failed = await carryOut(run, effects);
    if (durable(failed).length > 0) return;
    try {
      await store.effectsDone(outboxId);
    } catch (error) {
      // Left in the outbox: recovery carries it out again, and every durable effect is idempotent.
      log.warn("could not clear an outbox entry", { runId: run.id, outboxId, error: String(error) });
    }
  }

  /**
   * Carries out the durable effects of state changes stored at least `minAgeMs` ago whose
   * effects were not all carried out: the process died in between, or a call failed.
   */
  async function recover(minAgeMs: number): Promise<number> {
    const cutoff = now().getTime() - minAgeMs;
    let recovered = 0;
    for (const entry of await store.pendingEffects()) {
      if (Date.parse(entry.at) > cutoff) continue;
      const run = await store.get(entry.runId);
      if (!run) {
        await store.effectsDone(entry.id);
        continue;
      }
      log.warn("carrying out effects left over from an interrupted change", {
        runId: run.id,
        outboxId: entry.id,
      });
      await carryOutAndClear(run, durable(entry.effects), entry.id);
      recovered += 1;
    }
    return recovered;
  }

  /** Returns the effects that failed; each failure is logged with the run id. */
  async function carryOut(run: Run, effects: readonly Effect[]): Promise<Effect[]> {
    const failed: Effect[] = [];
    for (const effect of effects) {
      try {
        await carryOutOne(run, effect);
      } catch (error) {
        failed.push(effect);
        log.error("effect failed; the run's state is stored, the effect was not carried out", {
          runId: run.id,
          effect: effect.type,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return failed;
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
        return deps.actions.run({
          runId: run.id,
          stepId: effect.stepId,
          action: effect.action,
          dryRun: effect.dryRun,
          jobKey: effect.jobKey,
        });
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
    recover,
    get: store.get,
    runLog: store.log,
    activeRuns: store.activeRuns,
    record: store.record,
    unknownChecklist,
  };
}
