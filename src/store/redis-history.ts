import type { Redis } from "ioredis";
import { PreflightError } from "../core/errors.js";
import { HISTORY_LIMIT, type HistoryStore } from "../core/history/history-port.js";
import { type HistoryEntry, historyEntrySchema } from "../core/history/history-schema.js";
import { scriptOf, storage } from "./redis-scripts.js";

/**
 * The history in Redis, per checklist and environment: a hash of entries by run id and a sorted
 * set of run ids by start time, both under one hash tag (one cluster slot), trimmed to the newest
 * HISTORY_LIMIT in the same script that writes. A set per checklist names its environments.
 */

/**
 * Writes one entry unless the same run's entry from an equal or newer version is there; trims.
 * KEYS: 1 entries (hash run id → json), 2 order (zset run id by start ms)
 * ARGV: 1 run id, 2 run version, 3 start ms, 4 entry json, 5 limit
 * Returns 1 when written, 0 when an entry as new was already there.
 */
export const RECORD_HISTORY = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and tonumber(decoded['runVersion']) and tonumber(decoded['runVersion']) >= tonumber(ARGV[2]) then
    return 0
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
if excess > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, excess - 1)
  for _, id in ipairs(oldest) do
    redis.call('HDEL', KEYS[1], id)
    redis.call('ZREM', KEYS[2], id)
  end
end
return 1`;

/** The key part for runs whose checklist names no environment. */
const NO_ENV = "-";

export function createRedisHistory(
  redis: Redis,
  options: { prefix?: string; limit?: number } = {},
): HistoryStore {
  const prefix = options.prefix ?? "preflight:";
  const limit = options.limit ?? HISTORY_LIMIT;
  const recordHistory = scriptOf<number>(redis, 2, RECORD_HISTORY);
  const envPart = (env: string | null) => (env === null ? NO_ENV : `=${env}`);
  const keys = (checklistId: string, env: string | null) => {
    const tag = `{history:${checklistId}:${envPart(env)}}`;
    return { entries: `${prefix}${tag}:entries`, order: `${prefix}${tag}:order` };
  };
  const envsKey = (checklistId: string) => `${prefix}history:${checklistId}:envs`;

  async function entriesOf(checklistId: string, env: string | null): Promise<HistoryEntry[]> {
    const { entries, order } = keys(checklistId, env);
    const ids = await storage(() => redis.zrange(order, "0", "-1"));
    if (ids.length === 0) return [];
    const values = await storage(() => redis.hmget(entries, ...ids));
    return values.flatMap((json, index) => {
      if (json === null) return [];
      const parsed = historyEntrySchema.safeParse(JSON.parse(json));
      if (!parsed.success)
        throw new PreflightError(
          "corrupt_data",
          `the history entry of run ${ids[index]} (${checklistId}) does not match its schema: ${parsed.error.issues[0]?.message ?? "invalid"}`,
        );
      return [parsed.data];
    });
  }

  return {
    async record(entry) {
      const { entries, order } = keys(entry.checklistId, entry.env);
      await storage(() => redis.sadd(envsKey(entry.checklistId), envPart(entry.env)));
      await storage(() =>
        recordHistory(
          entries,
          order,
          entry.runId,
          String(entry.runVersion),
          String(Date.parse(entry.startedAt)),
          JSON.stringify(entry),
          String(limit),
        ),
      );
    },
    async entries(checklistId, env) {
      if (env !== undefined) return entriesOf(checklistId, env);
      const envs = await storage(() => redis.smembers(envsKey(checklistId)));
      const all = await Promise.all(
        envs.sort().map((part) => entriesOf(checklistId, part === NO_ENV ? null : part.slice(1))),
      );
      return all.flat();
    },
  };
}
