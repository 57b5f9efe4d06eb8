import type { Redis } from "ioredis";
import type { OutboxEntry, RunLogEntry, RunStore, RunUpdate, UpdateResult } from "../core/ports.js";
import type { PriorRun } from "../core/run/create-run.js";
import type { Effect } from "../core/run/effects.js";
import { type Run, runSchema } from "../core/run/run-schema.js";

/**
 * Runs in Redis. A run is a hash {version, json}; its log a list; the event ids it has seen a
 * hash (so a click delivered twice applies once). One Lua script checks the version, writes
 * the run, appends to the log and records the event id atomically: two updates at the same
 * moment never both apply, and the loser re-reads and decides again, so neither is lost.
 */

// KEYS: run, active set, log, outbox; ARGV: version, run json, run id, log entry, outbox id, outbox entry
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'json', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('RPUSH', KEYS[3], ARGV[4])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[4], ARGV[5], ARGV[6]) end
return 1`;

// KEYS: run, log, seen events, active set of the channel, closed runs of the checklist, outbox
// ARGV: expected version, new version ('' when refused), run json, log entry, event id,
//       outcome json, closed ('1'/'0'), run id, prior-run summary, outbox id, outbox entry ('' if none)
const COMMIT = `
local seen = redis.call('HGET', KEYS[3], ARGV[5])
if seen then return {'duplicate', seen} end
local version = redis.call('HGET', KEYS[1], 'version')
if not version then return {'missing', ''} end
if version ~= ARGV[1] then return {'conflict', version} end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'version', ARGV[2], 'json', ARGV[3]) end
redis.call('RPUSH', KEYS[2], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
if ARGV[7] == '1' then
  redis.call('SREM', KEYS[4], ARGV[8])
  redis.call('HSET', KEYS[5], ARGV[8], ARGV[9])
end
if ARGV[11] ~= '' then redis.call('HSET', KEYS[6], ARGV[10], ARGV[11]) end
return {'ok', ''}`;

// KEYS: seen events, log; ARGV: event id, outcome json, log entry
const RECORD = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[3])
return 1`;

const MAX_ATTEMPTS = 100;

/** After losing a race, wait a little (random, growing) so a crowd of writers spreads out. */
const backoff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (attempt + 1))));

export interface RedisRunStoreOptions {
  /** Prefix of every key, e.g. `preflight:`; tests use one per test. */
  prefix?: string;
}

export function createRedisRunStore(redis: Redis, options: RedisRunStoreOptions = {}): RunStore {
  const prefix = options.prefix ?? "preflight:";
  const keys = {
    run: (id: string) => `${prefix}run:${id}`,
    log: (id: string) => `${prefix}run:${id}:log`,
    seen: (id: string) => `${prefix}run:${id}:seen`,
    active: (channel: string) => `${prefix}active:${channel}`,
    closed: (checklistId: string) => `${prefix}closed:${checklistId}`,
    outbox: `${prefix}outbox`,
  };
  const outboxEntry = (runId: string, id: string, at: string, effects: readonly unknown[]) =>
    effects.length === 0 ? "" : JSON.stringify({ id, runId, at, effects });

  async function read(runId: string): Promise<Run | undefined> {
    const json = await redis.hget(keys.run(runId), "json");
    if (json === null) return undefined;
    return parseRun(runId, json);
  }

  async function create(run: Run, effects: readonly Effect[] = []): Promise<string> {
    const outboxId = `${run.id}|create`;
    const entry: RunLogEntry = {
      at: run.createdAt,
      by: run.owner,
      type: "run_started",
      eventId: `create.${run.id}`,
      accepted: true,
      version: run.version,
    };
    const created = await redis.eval(
      CREATE,
      4,
      keys.run(run.id),
      keys.active(run.channel),
      keys.log(run.id),
      keys.outbox,
      String(run.version),
      JSON.stringify(run),
      run.id,
      JSON.stringify(entry),
      outboxId,
      outboxEntry(run.id, outboxId, run.createdAt, effects),
    );
    if (created !== 1) throw new Error(`run ${run.id} already exists`);
    return outboxId;
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
      const outcome = JSON.stringify({
        accepted: entry.accepted,
        refusal: entry.refusal,
        version: entry.version,
      });
      const closed = decision.accepted && next.status !== "active";
      const outboxId = `${runId}|${change.eventId}`;
      const effects = decision.accepted
        ? change.keep
          ? change.keep(decision.effects)
          : decision.effects
        : [];
      const [result, detail] = (await redis.eval(
        COMMIT,
        6,
        keys.run(runId),
        keys.log(runId),
        keys.seen(runId),
        keys.active(run.channel),
        keys.closed(run.plan.id),
        keys.outbox,
        String(run.version),
        decision.accepted ? String(next.version) : "",
        JSON.stringify(next),
        JSON.stringify(entry),
        change.eventId,
        outcome,
        closed ? "1" : "0",
        runId,
        JSON.stringify(priorRunOf(next)),
        outboxId,
        outboxEntry(runId, outboxId, entry.at, effects),
      )) as [string, string];
      if (result === "conflict") {
        await backoff(attempt);
        continue;
      }
      if (result === "missing") return { status: "not_found" };
      if (result === "duplicate") {
        const current = (await read(runId)) ?? run;
        return { status: "duplicate", run: current, outcome: JSON.parse(detail) };
      }
      return decision.accepted
        ? { status: "applied", run: next, decision, outboxId }
        : { status: "refused", run, refusal: decision.refusal };
    }
    throw new Error(`run ${runId}: gave up after ${MAX_ATTEMPTS} concurrent updates in a row`);
  }

  async function log(runId: string): Promise<RunLogEntry[]> {
    const lines = await redis.lrange(keys.log(runId), 0, -1);
    return lines.map((line) => JSON.parse(line) as RunLogEntry);
  }

  async function activeRuns(channel: string): Promise<Run[]> {
    const ids = await redis.smembers(keys.active(channel));
    const runs = await Promise.all(ids.sort().map((id) => read(id)));
    return runs.filter((run): run is Run => run !== undefined);
  }

  async function priorRuns(checklistId: string): Promise<PriorRun[]> {
    const summaries = await redis.hvals(keys.closed(checklistId));
    return summaries.map((json) => JSON.parse(json) as PriorRun);
  }

  async function record(runId: string, entry: RunLogEntry): Promise<boolean> {
    const outcome = JSON.stringify({ accepted: entry.accepted, version: entry.version });
    const added = await redis.eval(
      RECORD,
      2,
      keys.seen(runId),
      keys.log(runId),
      entry.eventId,
      outcome,
      JSON.stringify(entry),
    );
    return added === 1;
  }

  async function pendingEffects(): Promise<OutboxEntry[]> {
    const entries = await redis.hvals(keys.outbox);
    return entries.map((json) => JSON.parse(json) as OutboxEntry);
  }

  async function effectsDone(outboxId: string): Promise<void> {
    await redis.hdel(keys.outbox, outboxId);
  }

  return { create, get: read, update, log, activeRuns, priorRuns, record, pendingEffects, effectsDone };
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
    throw new Error(
      `run ${runId} in Redis does not match the run schema: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}
