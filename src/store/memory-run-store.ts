import { randomUUID } from "node:crypto";
import { PreflightError } from "../core/errors.js";
import type {
  EffectRecord,
  Leases,
  OutboxEntry,
  RunLogEntry,
  RunStore,
  RunUpdate,
  UpdateResult,
} from "../core/ports.js";
import type { PriorRun } from "../core/run/create-run.js";
import { changesRunMessage } from "../core/run/decision.js";
import type { Run } from "../core/run/run-schema.js";
import { outboxEntryOf } from "./outbox-entry.js";

/**
 * The run store in memory, with the Redis store's contract (bolt-js's MemoryStore habit): for
 * fast tests of the service, the effect runner and recovery. Not for production: it forgets
 * everything when the process ends, and two processes don't share it.
 */
export function createMemoryRunStore(options: { now?: () => number } = {}): RunStore & {
  /** Fails the next `n` calls of the named method with "storage unavailable" (an outage). */
  failNext(method: keyof RunStore, n?: number): void;
} {
  const runs = new Map<string, string>();
  const logs = new Map<string, RunLogEntry[]>();
  const seen = new Map<string, Map<string, string>>();
  const outboxes = new Map<string, Map<string, OutboxEntry>>();
  const effects = new Map<string, Map<string, EffectRecord>>();
  const redraws = new Map<string, number>();
  const closed = new Map<string, Map<string, PriorRun>>();
  const failures = new Map<string, number>();

  const check = (method: string) => {
    const left = failures.get(method) ?? 0;
    if (left <= 0) return;
    failures.set(method, left - 1);
    throw new PreflightError("storage_unavailable", `storage unavailable (${method})`);
  };
  const copy = (run: Run): Run => JSON.parse(JSON.stringify(run)) as Run;
  const read = (runId: string) => {
    const json = runs.get(runId);
    return json === undefined ? undefined : (JSON.parse(json) as Run);
  };
  const listOf = <K, V>(map: Map<string, Map<K, V>>, id: string) => {
    let inner = map.get(id);
    if (!inner) {
      inner = new Map();
      map.set(id, inner);
    }
    return inner;
  };

  const store: RunStore = {
    async create(run, list = []) {
      check("create");
      if (runs.has(run.id)) throw new PreflightError("bug", `run ${run.id} already exists`);
      runs.set(run.id, JSON.stringify(run));
      logs.set(run.id, [
        {
          at: run.createdAt,
          by: run.owner,
          type: "run_started",
          eventId: `create.${run.id}`,
          accepted: true,
          version: run.version,
        },
      ]);
      const entry = outboxEntryOf(run, run.createdAt, list);
      if (entry) listOf(outboxes, run.id).set(entry.id, entry);
      redraws.set(run.id, run.version);
      return entry;
    },
    async get(runId) {
      check("get");
      return read(runId);
    },
    async recent(runId) {
      check("get");
      return read(runId);
    },
    async getComplete(runId) {
      check("getComplete");
      return read(runId);
    },
    async update(runId, change: RunUpdate): Promise<UpdateResult> {
      check("update");
      const run = read(runId);
      if (!run) return { status: "not_found" };
      const previously = seen.get(runId)?.get(change.eventId);
      if (previously) return { status: "duplicate", run, outcome: JSON.parse(previously) };
      // One at a time by construction: nothing awaits between the read and the write.
      const decision = change.decide(copy(run));
      const entry: RunLogEntry = {
        at: change.at.toISOString(),
        by: change.by,
        type: change.type,
        eventId: change.eventId,
        accepted: decision.accepted,
        version: decision.accepted ? decision.run.version : run.version,
        ...(decision.accepted ? {} : { refusal: decision.refusal }),
      };
      logs.get(runId)?.push(entry);
      for (const [id, record] of Object.entries(change.records ?? {}))
        listOf(effects, runId).set(id, { ...record });
      if (!decision.accepted) return { status: "refused", run, refusal: decision.refusal };
      const next = decision.run;
      runs.set(runId, JSON.stringify(next));
      listOf(seen, runId).set(change.eventId, JSON.stringify({ accepted: true, version: next.version }));
      const isClosed = (r: Run) => r.status === "finished" || r.status === "aborted";
      if (isClosed(next) && !isClosed(run))
        listOf(closed, next.plan.id).set(runId, {
          checklistId: next.plan.id,
          status: next.status,
          params: next.params,
          ...(next.environment !== undefined ? { environment: next.environment } : {}),
        } as PriorRun);
      const outbox = outboxEntryOf(next, entry.at, decision.effects);
      if (outbox) listOf(outboxes, runId).set(outbox.id, outbox);
      const redraw = changesRunMessage(run, decision);
      if (redraw) redraws.set(runId, next.version);
      return { status: "applied", run: next, decision, redraw, ...(outbox ? { outbox } : {}) };
    },
    async log(runId) {
      check("log");
      return [...(logs.get(runId) ?? [])];
    },
    async runsWithOutbox() {
      check("runsWithOutbox");
      return [...outboxes.entries()].filter(([, entries]) => entries.size > 0).map(([id]) => id);
    },
    async outbox(runId) {
      check("outbox");
      return [...(outboxes.get(runId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
    },
    async clearOutboxEntry(runId, entryId) {
      check("clearOutboxEntry");
      outboxes.get(runId)?.delete(entryId);
    },
    async effectRecords(runId, ids) {
      check("effectRecords");
      const all = Object.fromEntries(effects.get(runId)?.entries() ?? []);
      return ids ? Object.fromEntries(Object.entries(all).filter(([id]) => ids.includes(id))) : all;
    },
    async pending(runId) {
      check("outbox");
      check("effectRecords");
      return {
        entries: [...(outboxes.get(runId)?.values() ?? [])].sort((a, b) => a.seq - b.seq),
        records: Object.fromEntries(effects.get(runId)?.entries() ?? []),
      };
    },
    async markEffect(runId, effectId, record) {
      check("markEffect");
      listOf(effects, runId).set(effectId, { ...record });
    },
    async redrawsWanted() {
      check("redrawsWanted");
      return [...redraws.entries()].map(([runId, version]) => ({ runId, version }));
    },
    async redrawn(runId, version) {
      check("redrawn");
      const wanted = redraws.get(runId);
      if (wanted !== undefined && wanted <= version) redraws.delete(runId);
    },
    async wantRedraw(runId, version) {
      check("wantRedraw");
      redraws.set(runId, version);
    },
    async activeRuns(channel) {
      check("activeRuns");
      return [...runs.values()]
        .map((json) => JSON.parse(json) as Run)
        .filter((run) => run.channel === channel && run.status === "active")
        .sort((a, b) => a.id.localeCompare(b.id));
    },
    async allActiveRuns() {
      check("allActiveRuns");
      return [...runs.values()]
        .map((json) => JSON.parse(json) as Run)
        .filter((run) => run.status === "active")
        .sort((a, b) => a.id.localeCompare(b.id));
    },
    async priorRuns(checklistId) {
      check("priorRuns");
      return [...(closed.get(checklistId)?.values() ?? [])];
    },
  };
  void options;
  return {
    ...store,
    failNext(method, n = 1) {
      failures.set(method, n);
    },
  };
}

/** Leases in memory: for one process's tests. */
export function createMemoryLeases(now: () => number = Date.now): Leases {
  const held = new Map<string, { token: string; until: number }>();
  return {
    async acquire(name, ttlMs) {
      const current = held.get(name);
      if (current && current.until > now()) return undefined;
      const token = randomUUID();
      held.set(name, { token, until: now() + ttlMs });
      return token;
    },
    async renew(name, token, ttlMs) {
      const current = held.get(name);
      if (current?.token !== token) return false;
      current.until = now() + ttlMs;
      return true;
    },
    async release(name, token) {
      if (held.get(name)?.token === token) held.delete(name);
    },
  };
}
