import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";
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
import { type Effect, effectSchema } from "../core/run/effects.js";
import { type Run, runSchema } from "../core/run/run-schema.js";
import { outboxEntryOf } from "./outbox-entry.js";
import {
  CLEAR_OUTBOX_ENTRY,
  COMMIT_EVENT,
  CREATE_RUN,
  REDRAWN,
  RELEASE_LEASE,
  RENEW_LEASE,
} from "./run-scripts.js";

/**
 * Runs in Redis. A run is a hash {version, json}; its log a list; the event ids it accepted a
 * hash (so a click delivered twice applies once); its outbox a hash of entries by version. One
 * Lua script checks the version, writes the run, appends to the log, records the event id and
 * stores the effects atomically: two updates at the same moment never both apply, and the loser
 * re-reads and decides again, so neither is lost.
 */

const MAX_ATTEMPTS = 100;

/** After losing a race, wait a little (random, growing) so a crowd of writers spreads out. */
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (attempt + 1))));

export interface RedisRunStoreOptions {
  /** Prefix of every key, e.g. `preflight:`; tests use one per test. */
  prefix?: string;
}

interface RunScripts {
  createRun(...args: string[]): Promise<number>;
  commitEvent(...args: string[]): Promise<[string, string]>;
  clearOutboxEntry(...args: string[]): Promise<number>;
  redrawn(...args: string[]): Promise<number>;
  releaseLease(...args: string[]): Promise<number>;
  renewLease(...args: string[]): Promise<number>;
}

/** Sends the scripts once per connection; later calls go by SHA (EVALSHA). */
function scriptsOf(redis: Redis): RunScripts {
  const defined = redis as Redis & Partial<RunScripts>;
  if (!defined.commitEvent) {
    redis.defineCommand("createRun", { numberOfKeys: 6, lua: CREATE_RUN });
    redis.defineCommand("commitEvent", { numberOfKeys: 8, lua: COMMIT_EVENT });
    redis.defineCommand("clearOutboxEntry", { numberOfKeys: 2, lua: CLEAR_OUTBOX_ENTRY });
    redis.defineCommand("redrawn", { numberOfKeys: 1, lua: REDRAWN });
    redis.defineCommand("releaseLease", { numberOfKeys: 1, lua: RELEASE_LEASE });
    redis.defineCommand("renewLease", { numberOfKeys: 1, lua: RENEW_LEASE });
  }
  return defined as Redis & RunScripts;
}

const effectRecordSchema = z.object({
  status: z.enum(["tried", "done"]),
  at: z.string(),
  ts: z.string().optional(),
  channel: z.string().optional(),
});
const logEntrySchema = z.object({
  at: z.string(),
  by: z.string(),
  type: z.string(),
  eventId: z.string(),
  accepted: z.boolean(),
  refusal: z.object({ code: z.string(), message: z.string() }).optional(),
  version: z.number().int(),
});
const outboxEntrySchema = z.object({
  id: z.string(),
  runId: z.string(),
  seq: z.number().int().nonnegative(),
  at: z.string(),
  // Checked whole before anything is carried out: an entry may run an AWS action.
  effects: z.array(z.object({ id: z.string(), effect: effectSchema })),
});

/** Storage errors in the words of the error family: Redis not answering is not a bug. */
async function storage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PreflightError) throw error;
    throw new PreflightError(
      "storage_unavailable",
      `Redis did not answer: ${error instanceof Error ? error.message : String(error)}`,
      { original: error },
    );
  }
}

export function createRedisRunStore(redis: Redis, options: RedisRunStoreOptions = {}): RunStore {
  const prefix = options.prefix ?? "preflight:";
  const scripts = scriptsOf(redis);
  const keys = {
    run: (id: string) => `${prefix}run:${id}`,
    log: (id: string) => `${prefix}run:${id}:log`,
    seen: (id: string) => `${prefix}run:${id}:seen`,
    outbox: (id: string) => `${prefix}run:${id}:outbox`,
    effects: (id: string) => `${prefix}run:${id}:effects`,
    active: (channel: string) => `${prefix}active:${channel}`,
    closed: (checklistId: string) => `${prefix}closed:${checklistId}`,
    withOutbox: `${prefix}outbox:runs`,
    redraws: `${prefix}redraws`,
  };

  async function read(runId: string): Promise<Run | undefined> {
    const json = await storage(() => redis.hget(keys.run(runId), "json"));
    if (json === null) return undefined;
    return parseRun(runId, json);
  }

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
    const created = await storage(() =>
      scripts.createRun(
        keys.run(run.id),
        keys.active(run.channel),
        keys.log(run.id),
        keys.outbox(run.id),
        keys.withOutbox,
        keys.redraws,
        String(run.version),
        JSON.stringify(run),
        run.id,
        JSON.stringify(entry),
        outbox?.id ?? "",
        outbox ? JSON.stringify(outbox) : "",
      ),
    );
    if (created !== 1) throw new PreflightError("bug", `run ${run.id} already exists`);
    return outbox;
  }

  async function update(runId: string, change: RunUpdate): Promise<UpdateResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const run = await read(runId);
      if (!run) return { status: "not_found" };
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
      const closed = decision.accepted && next.status !== "active" && run.status === "active";
      const outbox = decision.accepted ? outboxEntryOf(next, entry.at, decision.effects) : undefined;
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
          String(run.version),
          decision.accepted ? String(next.version) : "",
          decision.accepted ? JSON.stringify(next) : "",
          JSON.stringify(entry),
          change.eventId,
          outcome,
          closed ? "1" : "0",
          runId,
          JSON.stringify(priorRunOf(next)),
          outbox?.id ?? "",
          outbox ? JSON.stringify(outbox) : "",
        ),
      );
      if (result === "conflict") {
        await backoff(attempt);
        continue;
      }
      if (result === "missing") return { status: "not_found" };
      if (result === "duplicate") {
        const current = (await read(runId)) ?? run;
        return { status: "duplicate", run: current, outcome: JSON.parse(detail) };
      }
      if (result === "refused" && !decision.accepted)
        return { status: "refused", run, refusal: decision.refusal };
      if (decision.accepted) return { status: "applied", run: next, decision, ...(outbox ? { outbox } : {}) };
    }
    throw new PreflightError(
      "contention",
      `run ${runId}: gave up after ${MAX_ATTEMPTS} concurrent updates in a row`,
    );
  }

  async function log(runId: string): Promise<RunLogEntry[]> {
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

  async function outbox(runId: string): Promise<OutboxEntry[]> {
    const values = await storage(() => redis.hvals(keys.outbox(runId)));
    return values
      .map((json) => {
        const parsed = outboxEntrySchema.safeParse(JSON.parse(json));
        if (!parsed.success)
          throw new PreflightError("corrupt_data", `an outbox entry of run ${runId} is malformed`);
        return parsed.data as OutboxEntry;
      })
      .sort((a, b) => a.seq - b.seq);
  }

  async function effectRecords(runId: string): Promise<Record<string, EffectRecord>> {
    const all = await storage(() => redis.hgetall(keys.effects(runId)));
    const records: Record<string, EffectRecord> = {};
    for (const [id, json] of Object.entries(all)) {
      const parsed = effectRecordSchema.safeParse(JSON.parse(json));
      if (parsed.success) records[id] = parsed.data as EffectRecord;
    }
    return records;
  }

  async function redrawsWanted(): Promise<{ runId: string; version: number }[]> {
    const all = await storage(() => redis.hgetall(keys.redraws));
    return Object.entries(all).map(([runId, version]) => ({ runId, version: Number(version) }));
  }

  return {
    create,
    get: read,
    update,
    log,
    activeRuns,
    allActiveRuns,
    priorRuns,
    runsWithOutbox: () => storage(() => redis.smembers(keys.withOutbox)),
    outbox,
    clearOutboxEntry: async (runId, entryId) => {
      await storage(() => scripts.clearOutboxEntry(keys.outbox(runId), keys.withOutbox, entryId, runId));
    },
    effectRecords,
    markEffect: async (runId, effectId, value) => {
      await storage(() => redis.hset(keys.effects(runId), effectId, JSON.stringify(value)));
    },
    redrawsWanted,
    redrawn: async (runId, version) => {
      await storage(() => scripts.redrawn(keys.redraws, runId, String(version)));
    },
    wantRedraw: async (runId, version) => {
      await storage(() => redis.hset(keys.redraws, runId, String(version)));
    },
  };
}

/** Leases in Redis: SET NX PX with a random token; only the holder renews or releases. */
export function createRedisLeases(redis: Redis, prefix = "preflight:"): Leases {
  const scripts = scriptsOf(redis);
  const key = (name: string) => `${prefix}lease:${name}`;
  return {
    async acquire(name, ttlMs) {
      const token = randomUUID();
      const set = await storage(() => redis.set(key(name), token, "PX", ttlMs, "NX"));
      return set === "OK" ? token : undefined;
    },
    async renew(name, token, ttlMs) {
      return (await storage(() => scripts.renewLease(key(name), token, String(ttlMs)))) === 1;
    },
    async release(name, token) {
      await storage(() => scripts.releaseLease(key(name), token));
    },
  };
}

function priorRunOf(run: Run): PriorRun {
  return {
    checklistId: run.plan.id,
    status: run.status,
    params: run.params,
    dryRun: run.dryRun,
    hash: run.source.hash,
    ...(run.closedAt !== undefined ? { closedAt: run.closedAt } : {}),
    ...(run.environment !== undefined ? { environment: run.environment } : {}),
  };
}

/** Stored runs are data from outside the process: validated on the way back in. */
function parseRun(runId: string, json: string): Run {
  const parsed = runSchema.safeParse(JSON.parse(json));
  if (!parsed.success) {
    throw new PreflightError(
      "corrupt_data",
      `run ${runId} in Redis does not match the run schema: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}
