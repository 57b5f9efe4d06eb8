import type { Redis } from "ioredis";
import { PreflightError } from "../core/errors.js";
import {
  EFFECT_NUMBERED_PART,
  EFFECT_PART_SUFFIXES,
  type EffectRecord,
  type OutboxEntry,
  type RunStore,
} from "../core/ports.js";
import { scriptsOf, storage } from "./redis-scripts.js";
import type { RunKeys } from "./run-keys.js";
import { effectRecordSchema, outboxEntrySchema } from "./stored-schemas.js";

/**
 * The run store's effect side: each run's outbox (written with the change, by the commit
 * script), what is known of each effect, and the run messages waiting for a redraw.
 */
export function createRedisOutbox(
  redis: Redis,
  keys: RunKeys,
): Pick<
  RunStore,
  | "runsWithOutbox"
  | "outbox"
  | "clearOutboxEntry"
  | "effectRecords"
  | "pending"
  | "markEffect"
  | "redrawsWanted"
  | "redrawn"
  | "wantRedraw"
> {
  const scripts = scriptsOf(redis);

  async function outbox(runId: string): Promise<OutboxEntry[]> {
    return entriesOf(runId, await storage(() => redis.hvals(keys.outbox(runId))));
  }

  function entriesOf(runId: string, values: string[]): OutboxEntry[] {
    return values
      .map((json) => {
        const parsed = outboxEntrySchema.safeParse(JSON.parse(json));
        if (!parsed.success)
          throw new PreflightError("corrupt_data", `an outbox entry of run ${runId} is malformed`);
        return parsed.data as OutboxEntry;
      })
      .sort((a, b) => a.seq - b.seq);
  }

  async function effectRecords(
    runId: string,
    ids?: readonly string[],
  ): Promise<Record<string, EffectRecord>> {
    if (!ids) return recordsOf(await storage(() => redis.hgetall(keys.effects(runId))));
    if (ids.length === 0) return {};
    // Only the records asked for: a reminder's cost does not grow with its run's history.
    const values = await storage(() => redis.hmget(keys.effects(runId), ...ids));
    return recordsOf(
      Object.fromEntries(
        ids.flatMap((id, i) => {
          const value = values[i];
          return typeof value === "string" ? [[id, value]] : [];
        }),
      ),
    );
  }

  function recordsOf(all: Record<string, string>): Record<string, EffectRecord> {
    const records: Record<string, EffectRecord> = {};
    for (const [id, json] of Object.entries(all)) {
      const parsed = effectRecordSchema.safeParse(JSON.parse(json));
      if (parsed.success) records[id] = parsed.data as EffectRecord;
    }
    return records;
  }

  /**
   * The outbox and the records of its effects in one round trip; records of effects carried out
   * before are left unread, so a click costs the same on a run with a long history.
   */
  async function pending(runId: string) {
    const [values, pairs] = await storage(() =>
      scripts.pendingEffects(
        keys.outbox(runId),
        keys.effects(runId),
        EFFECT_NUMBERED_PART,
        ...EFFECT_PART_SUFFIXES,
      ),
    );
    const entries = entriesOf(runId, values ?? []);
    const all: Record<string, string> = {};
    for (let i = 0; i + 1 < (pairs ?? []).length; i += 2) all[pairs[i] as string] = pairs[i + 1] as string;
    return { entries, records: recordsOf(all) };
  }

  async function redrawsWanted(): Promise<{ runId: string; version: number }[]> {
    const all = await storage(() => redis.hgetall(keys.redraws));
    return Object.entries(all).map(([runId, version]) => ({ runId, version: Number(version) }));
  }

  return {
    runsWithOutbox: () => storage(() => redis.smembers(keys.withOutbox)),
    outbox,
    clearOutboxEntry: async (runId, entryId) => {
      await storage(() => scripts.clearOutboxEntry(keys.outbox(runId), keys.withOutbox, entryId, runId));
    },
    effectRecords,
    pending,
    markEffect: async (runId, effectId, value) => {
      await storage(() =>
        scripts.markEffect(keys.effects(runId), keys.run(runId), effectId, JSON.stringify(value)),
      );
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
