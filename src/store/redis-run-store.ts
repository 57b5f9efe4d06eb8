import type { Redis } from "ioredis";
import { PreflightError } from "../core/errors.js";
import type { OutboxEntry, RunLogEntry, RunStore, RunUpdate, UpdateResult } from "../core/ports.js";
import type { PriorRun } from "../core/run/create-run.js";
import { changesRunMessage } from "../core/run/decision.js";
import type { Effect } from "../core/run/effects.js";
import { isRunId, type Run } from "../core/run/run-schema.js";
import { createKeyedQueue } from "./keyed-queue.js";
import { createLru } from "./lru.js";
import { outboxEntryOf } from "./outbox-entry.js";
import { createCommitDeadline } from "./redis-deadline.js";
import { createRedisOutbox } from "./redis-outbox.js";
import { createRedisPlans } from "./redis-plans.js";
import { scriptsOf, storage } from "./redis-scripts.js";
import { isClosed, priorRunOf, pruneClosedRuns, threadKeyOfRun } from "./retention.js";
import {
  type Appended,
  appendedBy,
  completeOf,
  documentOf,
  HISTORY_TAIL,
  keptView,
  NOTES_TAIL,
  type ViewBase,
  viewOf,
} from "./run-document.js";
import { runKeysOf } from "./run-keys.js";
import { logEntrySchema } from "./stored-schemas.js";

/**
 * Runs in Redis. A run is a hash {version, json} (its state: run-document.ts keeps its plan by
 * hash and its history and notes in lists, so a click costs the same on any run); its log a list; the event ids it accepted a
 * hash (so a click delivered twice applies once); its outbox a hash of entries by version. One
 * Lua script checks the version, writes the run, appends to the log, records the event id and
 * stores the effects atomically: two updates at the same moment never both apply, and the loser
 * re-reads and decides again, so neither is lost. Within one process they wait in line instead.
 */

const MAX_ATTEMPTS = 100;

/** After losing a race, wait a little (random, growing) so a crowd of writers spreads out. */
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (attempt + 1))));

export interface RedisRunStoreOptions {
  /** Prefix of every key, e.g. `preflight:`; tests use one per test. */
  prefix?: string;
  /** Closed runs and everything kept under their id expire this many days after closing. */
  retentionDays?: number;
  /** Parsed plans kept in memory, by hash (bounded). */
  planCacheSize?: number;
  /** Working views kept from the last read or commit, by run (bounded): a click decides on it. */
  viewCacheSize?: number;
  /**
   * A commit reaching Redis later than this after it was sent is refused, writing nothing
   * (redis-deadline.ts): set it below the connection's command timeout, so that "not saved" is
   * what happened. Unset: no deadline.
   */
  commitDeadlineMs?: number;
}

export const DEFAULT_RETENTION_DAYS = 400;
export { createRedisLeases } from "./redis-leases.js";

export function createRedisRunStore(redis: Redis, options: RedisRunStoreOptions = {}): RunStore {
  const prefix = options.prefix ?? "preflight:";
  const retentionSeconds = String(Math.round((options.retentionDays ?? DEFAULT_RETENTION_DAYS) * 86_400));
  const scripts = scriptsOf(redis);
  const keys = runKeysOf(prefix);
  const deadline = createCommitDeadline(redis, options.commitDeadlineMs);
  const late = () =>
    new PreflightError("storage_unavailable", "Redis answered too late: the change was not saved");

  const { planOf, storePlan } = createRedisPlans(redis, keys.plan, options.planCacheSize ?? 64);

  // The last view read or committed per run: a click decides on it without reading (the commit
  // checks the version). 1,024: with 1,000 runs open, 512 left half of a burst of due reminders
  // reading their run (1.1–1.2 ms of CPU a reminder against 0.8, for a few MiB of heap).
  const views = createLru<string, { run: Run; base: ViewBase }>(options.viewCacheSize ?? 1024);

  /**
   * The working view of a run (run-document.ts), in one round trip. When the stored version is
   * the one of the view kept here, nothing more is sent or parsed: the kept view is current.
   */
  async function readView(runId: string): Promise<{ run: Run; base: ViewBase } | undefined> {
    if (!isRunId(runId)) return undefined;
    const kept = views.get(runId);
    const reply = await storage(() =>
      scripts.readView(
        keys.run(runId),
        keys.history(runId),
        keys.moves(runId),
        keys.notes(runId),
        kept ? String(kept.run.version) : "",
        String(HISTORY_TAIL),
        String(NOTES_TAIL),
      ),
    );
    if (kept && reply.length === 1 && reply[0] === String(kept.run.version)) return kept;
    const [, json, historyLength, historyTail, moves, notesLength, notesTail] = reply as [
      string,
      string | null,
      number,
      string[],
      string[],
      number,
      string[],
    ];
    if (json === null || json === undefined) {
      views.delete(runId);
      return undefined;
    }
    const view = await viewOf(
      runId,
      { json, historyLength, historyTail, moves, notesLength, notesTail },
      planOf,
    );
    views.set(runId, view);
    return view;
  }

  async function read(runId: string): Promise<Run | undefined> {
    return (await readView(runId))?.run;
  }

  async function recent(runId: string, atLeast = 0): Promise<Run | undefined> {
    const kept = views.get(runId);
    if (kept && kept.run.version >= atLeast) return kept.run;
    return read(runId);
  }

  async function readComplete(runId: string): Promise<Run | undefined> {
    if (!isRunId(runId)) return undefined;
    const [json, history, notes] = await storage(() =>
      Promise.all([
        redis.hget(keys.run(runId), "json"),
        redis.lrange(keys.history(runId), 0, -1),
        redis.lrange(keys.notes(runId), 0, -1),
      ]),
    );
    if (json === null) return undefined;
    return completeOf(runId, { json, history, notes }, planOf);
  }

  /** The list counts, the deadline (a commit: then whether to redraw, how many records), the lists' items: ARGV order. */
  const withDeadline = (args: string[], at: string, ...commitFlags: string[]) => [
    ...args.slice(0, 3),
    at,
    ...commitFlags,
    ...args.slice(3),
  ];
  const listArgs = (appended: Appended) => [
    String(appended.history.length),
    String(appended.moves.length),
    String(appended.notes.length),
    ...appended.history,
    ...appended.moves,
    ...appended.notes,
  ];

  async function create(run: Run, effects: readonly Effect[] = []): Promise<OutboxEntry | undefined> {
    const entry: RunLogEntry = {
      at: run.createdAt,
      by: run.owner,
      type: "run_started",
      eventId: `create.${run.id}`,
      accepted: true,
      version: run.version,
    };
    const outbox = outboxEntryOf(run, run.createdAt, effects);
    const planHash = await storePlan(run.plan);
    const empty: ViewBase = { historyStored: 0, historyPending: 0, notesStored: 0, notesPending: 0 };
    const appended = appendedBy({ ...run, history: [], notes: [] }, empty, run);
    const by = await deadline();
    const created: number | unknown[] = await storage(() =>
      scripts.createRun(
        keys.run(run.id),
        keys.active(run.channel),
        keys.log(run.id),
        keys.outbox(run.id),
        keys.withOutbox,
        keys.redraws,
        keys.history(run.id),
        keys.moves(run.id),
        keys.notes(run.id),
        String(run.version),
        documentOf(run, planHash),
        run.id,
        JSON.stringify(entry),
        outbox?.id ?? "",
        outbox ? JSON.stringify(outbox) : "",
        ...withDeadline(listArgs(appended), by),
      ),
    );
    if (Array.isArray(created)) throw late();
    if (created !== 1) throw new PreflightError("bug", `run ${run.id} already exists`);
    return outbox;
  }

  /** This process's commits to one run go in line (keyed-queue.ts): none loses to another of them. */
  const inLine = createKeyedQueue();
  const update = (runId: string, change: RunUpdate) => inLine(runId, () => commit(runId, change));

  async function commit(runId: string, change: RunUpdate): Promise<UpdateResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const view = (attempt === 0 ? views.get(runId) : undefined) ?? (await readView(runId));
      if (!view) return { status: "not_found" };
      const { run, base } = view;
      const decision = change.decide(run);
      const next = decision.accepted ? decision.run : run;
      const entry: RunLogEntry = {
        at: change.at.toISOString(),
        by: change.by,
        type: change.type,
        eventId: change.eventId,
        accepted: decision.accepted,
        version: next.version,
        ...(decision.accepted ? {} : { refusal: decision.refusal }),
      };
      const outcome = JSON.stringify({ accepted: true, version: entry.version });
      // Finished or aborted now (also a run aborted while it waited for an override's approval).
      const closed = decision.accepted && isClosed(next) && !isClosed(run);
      const outbox = decision.accepted ? outboxEntryOf(next, entry.at, decision.effects) : undefined;
      const planHash = decision.accepted ? await storePlan(next.plan) : "";
      const added = decision.accepted ? appendedBy(run, base, next) : undefined;
      const appended = added ? listArgs(added) : ["0", "0", "0"];
      const thread = closed
        ? await threadKeyOfRun(redis, prefix, keys.message(runId), keys.message(runId))
        : keys.message(runId);
      const redraw = decision.accepted && changesRunMessage(run, decision);
      const records = Object.entries(change.records ?? {}).flatMap(([id, record]) => [
        id,
        JSON.stringify(record),
      ]);
      const by = await deadline();
      const [result, detail] = await storage(() =>
        scripts.commitEvent(
          keys.run(runId),
          keys.log(runId),
          keys.seen(runId),
          keys.active(run.channel),
          keys.closed(run.plan.id),
          keys.outbox(runId),
          keys.withOutbox,
          keys.redraws,
          keys.history(runId),
          keys.moves(runId),
          keys.notes(runId),
          keys.effects(runId),
          keys.message(runId),
          thread,
          String(run.version),
          decision.accepted ? String(next.version) : "",
          decision.accepted ? documentOf(next, planHash) : "",
          JSON.stringify(entry),
          change.eventId,
          outcome,
          closed ? "1" : "0",
          runId,
          JSON.stringify(priorRunOf(next)),
          outbox?.id ?? "",
          outbox ? JSON.stringify(outbox) : "",
          retentionSeconds,
          ...withDeadline(appended, by, redraw ? "1" : "0", String(records.length / 2)),
          ...records,
        ),
      );
      if (result === "late") {
        views.delete(runId);
        throw late();
      }
      if (result === "conflict") {
        views.delete(runId);
        // A view kept from before is simply old: read again at once; a race lost waits a little.
        if (attempt > 0) await backoff(attempt);
        continue;
      }
      if (result === "missing") {
        views.delete(runId);
        return { status: "not_found" };
      }
      if (added && result === "ok") views.set(runId, keptView(next, base, added));
      if (closed && result === "ok" && next.closedAt)
        await pruneClosedRuns(redis, keys.closed(run.plan.id), next.closedAt, Number(retentionSeconds));
      if (result === "duplicate") {
        const current = (await read(runId)) ?? run;
        return { status: "duplicate", run: current, outcome: JSON.parse(detail) };
      }
      if (result === "refused" && !decision.accepted)
        return { status: "refused", run, refusal: decision.refusal };
      if (decision.accepted)
        return { status: "applied", run: next, decision, redraw, ...(outbox ? { outbox } : {}) };
    }
    throw new PreflightError(
      "contention",
      `run ${runId}: gave up after ${MAX_ATTEMPTS} concurrent updates in a row`,
    );
  }

  async function log(runId: string): Promise<RunLogEntry[]> {
    if (!isRunId(runId)) return [];
    const lines = await storage(() => redis.lrange(keys.log(runId), 0, -1));
    return lines.map((line) => {
      const parsed = logEntrySchema.safeParse(JSON.parse(line));
      if (!parsed.success)
        throw new PreflightError("corrupt_data", `a log line of run ${runId} is malformed`);
      return parsed.data as RunLogEntry;
    });
  }

  async function activeRuns(channel: string): Promise<Run[]> {
    const ids = await storage(() => redis.smembers(keys.active(channel)));
    const runs = await Promise.all(ids.sort().map((id) => read(id)));
    return runs.filter((run): run is Run => run !== undefined);
  }

  /** Every channel's active set, found with SCAN (a handful of keys: one per channel with runs). */
  async function allActiveRuns(): Promise<Run[]> {
    const sets: string[] = [];
    let cursor = "0";
    do {
      const [next, found] = await storage(() => redis.scan(cursor, "MATCH", keys.active("*"), "COUNT", 500));
      cursor = next;
      sets.push(...found);
    } while (cursor !== "0");
    const ids = new Set((await Promise.all(sets.map((key) => storage(() => redis.smembers(key))))).flat());
    const runs = await Promise.all([...ids].sort().map((id) => read(id)));
    return runs.filter((run): run is Run => run !== undefined && run.status === "active");
  }

  async function priorRuns(checklistId: string): Promise<PriorRun[]> {
    const summaries = await storage(() => redis.hvals(keys.closed(checklistId)));
    return summaries.map((json) => JSON.parse(json) as PriorRun);
  }

  return {
    create,
    get: read,
    recent,
    getComplete: readComplete,
    update,
    log,
    activeRuns,
    allActiveRuns,
    priorRuns,
    ...createRedisOutbox(redis, keys),
  };
}
