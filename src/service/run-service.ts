import { randomBytes } from "node:crypto";
import { slackFix } from "../core/errors.js";
import { withEarlierRuns } from "../core/history/figures.js";
import type { HistoryStore } from "../core/history/history-port.js";
import type { PeopleDirectory } from "../core/people-directory.js";
import {
  type ChecklistCatalog,
  type EffectLedger,
  type Logger,
  type Metrics,
  noMetrics,
  type RunStore,
  type RunUpdate,
  type UpdateResult,
} from "../core/ports.js";
import { applyEvent } from "../core/run/apply-event.js";
import { createRun, type ParameterError } from "../core/run/create-run.js";
import type { Effect, RefusalCode } from "../core/run/effects.js";
import { groupsNamedIn, isGroup } from "../core/run/people.js";
import { PREFLIGHT_USER, type Run, type RunEvent } from "../core/run/run-schema.js";
import type { PersonIndex } from "../store/redis-person-index.js";

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
  /** Earlier runs of a checklist: a new run carries what they say about each step. */
  history?: Pick<HistoryStore, "entries">;
  now?: () => Date;
  newRunId?: () => string;
  /** Runs started and ended, people's clicks by outcome (noMetrics when absent). */
  metrics?: Metrics;
  /** User group members: looked up before an event is applied, so the engine decides on them. */
  people?: Pick<PeopleDirectory, "groupsOf"> & Partial<Pick<PeopleDirectory, "isPerson">>;
  /** Where a ticket id links to, when its tracker is configured (src/tracker/configure.ts). */
  ticketLink?: (ticket: string) => string | undefined;
  /** Per person, the runs they own or buddy (their Home tab lists those runs' reminders). */
  personRuns?: PersonIndex;
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
  | {
      ok: false;
      message: string;
      missing?: string[];
      parameterErrors?: ParameterError[];
      /** Why the engine refused (`buddy_required`: the start form asks for a buddy). */
      code?: RefusalCode;
    };

export interface ActOutcome {
  result: UpdateResult;
  /** Settles when the effects of an applied event have been carried out (or logged as failed). */
  effectsDone: Promise<void>;
}

/** Thrown inside a decision to ask for the person's user groups first; nothing is stored. */
class GroupsNeeded extends Error {
  constructor(readonly named: string[]) {
    super("the person's user groups are needed to decide this event");
  }
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
  const metrics = deps.metrics ?? noMetrics;

  async function startRun(request: StartRequest): Promise<StartOutcome> {
    const entry = catalog.get(request.checklistId);
    if (!entry) return { ok: false, message: unknownChecklist(request.checklistId) };
    const starterGroups = (entry.checklist.rules.starters ?? []).filter(isGroup);
    const ownerGroups =
      deps.people && starterGroups.length > 0 ? await deps.people.groupsOf(request.owner, starterGroups) : [];
    const buddyIsPerson =
      request.buddy !== undefined ? await deps.people?.isPerson?.(request.buddy) : undefined;
    const result = createRun({
      id: makeId(),
      ownerGroups,
      checklist: entry.checklist,
      source: { hash: entry.hash, file: entry.file, ...(entry.commit ? { commit: entry.commit } : {}) },
      params: request.params,
      channel: request.channel,
      owner: request.owner,
      now: now(),
      priorRuns: await store.priorRuns(entry.checklist.id),
      ...(request.buddy !== undefined ? { buddy: request.buddy } : {}),
      ...(buddyIsPerson !== undefined ? { buddyIsPerson } : {}),
      ...(request.dryRun !== undefined ? { dryRun: request.dryRun } : {}),
      ...(request.override !== undefined ? { override: request.override } : {}),
      ...(deps.ticketLink ? { ticketLink: deps.ticketLink } : {}),
    });
    if (!result.ok) {
      return {
        ok: false,
        message: result.refusal.message,
        code: result.refusal.code,
        ...(result.missing ? { missing: result.missing } : {}),
        ...(result.parameterErrors ? { parameterErrors: result.parameterErrors } : {}),
      };
    }
    const effects: Effect[] = [
      { type: "publish_run_message" },
      ...result.effects.filter((effect) => effect.type !== "refresh_run_message"),
    ];
    // One read of the history per start: the run message shows "usually …" from the run itself.
    const earlier = deps.history
      ? await deps.history.entries(entry.checklist.id, result.run.environment ?? null)
      : [];
    const run = withEarlierRuns(result.run, earlier);
    await store.create(run, effects);
    await indexPeople(run.id, [run.owner, ...(run.buddy ? [run.buddy] : [])]);
    metrics.runStarted();
    log.info("run started", {
      runId: run.id,
      checklist: entry.checklist.id,
      channel: request.channel,
    });
    // The message is posted from the outbox (so a crash here loses nothing); wait for it to
    // say whether people can watch the run.
    await deps.effects.kick(run.id);
    const stored = await store.get(run.id);
    if (stored && (stored.status === "aborted" || stored.status === "finished")) {
      return {
        ok: false,
        message: `${stored.abortReason ?? "The run message could not be posted."} ${notPostedHelp(stored)}`,
      };
    }
    const posted = (await store.outbox(run.id)).every(
      (outbox) => !outbox.effects.some((e) => e.effect.type === "publish_run_message"),
    );
    return { ok: true, run: stored ?? run, posted };
  }

  /** The run as this process last saw it (what no commit changes, or what a commit re-checks). */
  function recent(runId: string): Promise<Run | undefined> {
    return store.recent ? store.recent(runId) : store.get(runId);
  }

  /**
   * Applies one event. `eventId` identifies the click or delivery: the same id applies once.
   * User groups only ever widen who may act, so the event is first decided without them; only
   * when that is refused on a run naming groups are the person's groups looked up and the event
   * decided again with them (`GroupsNeeded`: nothing was written). A click on a run without
   * groups, or one its person may make anyway, costs no extra read. `records` are effect records
   * written with the commit (`RunUpdate.records`).
   */
  async function act(
    runId: string,
    given: RunEvent,
    eventId: string,
    records?: RunUpdate["records"],
  ): Promise<ActOutcome> {
    // Whether the new owner or buddy is a person is Slack's to say, the engine's to decide on.
    if ((given.type === "hand_over" || given.type === "set_buddy") && given.toIsPerson === undefined) {
      const toIsPerson = await deps.people?.isPerson?.(given.to);
      if (toIsPerson !== undefined) given = { ...given, toIsPerson };
    }
    try {
      return await attempt(runId, given, eventId, records);
    } catch (error) {
      if (!(error instanceof GroupsNeeded) || !deps.people) throw error;
      const groups = await deps.people.groupsOf(given.by, error.named);
      return attempt(runId, { ...given, groups }, eventId, records);
    }
  }

  async function attempt(
    runId: string,
    event: RunEvent,
    eventId: string,
    records: RunUpdate["records"],
  ): Promise<ActOutcome> {
    const mayNeedGroups =
      deps.people !== undefined && event.by !== PREFLIGHT_USER && event.groups === undefined;
    const at = now();
    let before: Run["status"] | undefined;
    const result = await store
      .update(runId, {
        eventId,
        by: event.by,
        type: event.type,
        at,
        ...(records ? { records } : {}),
        decide: (run) => {
          before = run.status;
          const decision = applyEvent(run, event, at);
          if (!decision.accepted && mayNeedGroups) {
            const named = groupsNamedIn(run);
            if (named.length > 0) throw new GroupsNeeded(named);
          }
          return decision;
        },
      })
      .catch((error: unknown) => {
        if (event.by !== PREFLIGHT_USER && !(error instanceof GroupsNeeded)) metrics.click("failed");
        throw error;
      });
    count(event, result, before);
    if (result.status === "applied") {
      if (event.type === "hand_over" || event.type === "set_buddy") await indexPeople(runId, [event.to]);
      if (result.redraw) deps.redraws.request(runId, result.run);
      return { result, effectsDone: result.outbox ? deps.effects.kick(runId) : Promise.resolve() };
    }
    // Whoever clicked saw an outdated message: redraw it so they see what changed.
    if (result.status === "refused" && result.refusal.code === "stale") deps.redraws.request(runId);
    return { result, effectsDone: Promise.resolve() };
  }

  /** A person's click by outcome; a run that left `active` by its new status. */
  function count(event: RunEvent, result: UpdateResult, before: Run["status"] | undefined): void {
    if (event.by !== PREFLIGHT_USER)
      metrics.click(result.status, result.status === "refused" ? result.refusal.code : undefined);
    if (result.status === "applied" && before === "active" && result.run.status !== "active")
      metrics.runEnded(result.run.status);
  }

  /** Remembers the run among each person's runs (their Home tab); a failure only costs a listing. */
  async function indexPeople(runId: string, users: readonly string[]): Promise<void> {
    if (!deps.personRuns) return;
    const index = deps.personRuns;
    await Promise.all(users.map((user) => index.add("runs", user, runId, now()))).catch((error: unknown) =>
      log.warn("could not index a run for its people", { runId, error: String(error) }),
    );
  }

  /** The runs a person owns or buddies (or did), newest first, from the per-person index. */
  async function runsOf(user: string): Promise<Run[]> {
    if (!deps.personRuns) return [];
    const ids = await deps.personRuns.list("runs", user);
    const runs = await Promise.all(ids.map((id) => store.get(id)));
    return runs.filter((run): run is Run => run !== undefined);
  }

  /**
   * What is known of the effects of a scope (a run id, or `window.<id>`): for the timed jobs,
   * which post once per reminder, nudge and window message like the effect runner does. With
   * `ids`, only those effects are read (and only those may be asked of the ledger).
   */
  async function ledger(scope: string, ids?: readonly string[]): Promise<EffectLedger> {
    const records = await store.effectRecords(scope, ids);
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
    recent,
    runLog: store.log,
    activeRuns: store.activeRuns,
    runsOf,
    allActiveRuns: store.allActiveRuns,
    unknownChecklist,
  };
}
