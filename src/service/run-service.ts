import { randomBytes } from "node:crypto";
import { slackFix } from "../core/errors.js";
import type { ChecklistCatalog, EffectLedger, Logger, RunStore, UpdateResult } from "../core/ports.js";
import { applyEvent } from "../core/run/apply-event.js";
import { createRun, type ParameterError } from "../core/run/create-run.js";
import type { Effect } from "../core/run/effects.js";
import type { Run, RunEvent } from "../core/run/run-schema.js";

/**
 * The run service: the one place where the pure engine meets storage and the outside world.
 * A state change and the effects it causes are stored together (the run's outbox); the effect
 * runner carries them out after, exactly once, and the refresher redraws the run message. A
 * failing effect never undoes or loses the stored change.
 */

export interface RunServiceDeps {
  store: RunStore;
  catalog: ChecklistCatalog;
  /** Carries out stored effects (effect-runner.ts); kicked after every commit. */
  effects: { kick(runId: string): Promise<void> };
  /** Redraws run messages (level-triggered); asked after every commit. */
  redraws: { request(runId: string, committed?: Run): void };
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
  /** `posted` is false when Slack could not be reached yet: the message follows when it answers. */
  | { ok: true; run: Run; posted: boolean }
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
  const { store, catalog, log } = deps;

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
    const effects: Effect[] = [
      { type: "publish_run_message" },
      ...result.effects.filter((effect) => effect.type !== "refresh_run_message"),
    ];
    await store.create(result.run, effects);
    log.info("run started", {
      runId: result.run.id,
      checklist: entry.checklist.id,
      channel: request.channel,
    });
    // The message is posted from the outbox (so a crash here loses nothing); wait for it to
    // say whether people can watch the run.
    await deps.effects.kick(result.run.id);
    const stored = await store.get(result.run.id);
    if (stored && (stored.status === "aborted" || stored.status === "finished")) {
      return {
        ok: false,
        message: `${stored.abortReason ?? "The run message could not be posted."} ${notPostedHelp(stored)}`,
      };
    }
    const posted = (await store.outbox(result.run.id)).every(
      (outbox) => !outbox.effects.some((e) => e.effect.type === "publish_run_message"),
    );
    return { ok: true, run: stored ?? result.run, posted };
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
      deps.redraws.request(runId, result.run);
      return { result, effectsDone: result.outbox ? deps.effects.kick(runId) : Promise.resolve() };
    }
    // Whoever clicked saw an outdated message: redraw it so they see what changed.
    if (result.status === "refused" && result.refusal.code === "stale") deps.redraws.request(runId);
    return { result, effectsDone: Promise.resolve() };
  }

  /**
   * What is known of the effects of a scope (a run id, or `window.<id>`): for the timed jobs,
   * which post once per reminder, nudge and window message like the effect runner does.
   */
  async function ledger(scope: string): Promise<EffectLedger> {
    const records = await store.effectRecords(scope);
    return {
      get: (id) => records[id],
      mark: async (id, record) => {
        records[id] = record;
        await store.markEffect(scope, id, record);
      },
    };
  }

  function notPostedHelp(run: Run): string {
    const code = /\(([a-z_]+)\)/.exec(run.abortReason ?? "")?.[1];
    return `Nothing else was done; the run is closed. ${slackFix(code, run.channel)} Then start it again.`;
  }

  function unknownChecklist(id: string): string {
    const ids = catalog.list().map((entry) => entry.checklist.id);
    return `There is no checklist "${id}". Available: ${ids.length > 0 ? ids.join(", ") : "none (check CHECKLISTS_DIR)"}.`;
  }

  return {
    startRun,
    act,
    ledger,
    get: store.get,
    runLog: store.log,
    activeRuns: store.activeRuns,
    unknownChecklist,
  };
}
