import type { Redis } from "ioredis";
import type { PriorRun } from "../core/run/create-run.js";
import type { Run } from "../core/run/run-schema.js";
import { messageRefOf, threadKeyOf } from "./redis-message-refs.js";
import { storage } from "./redis-scripts.js";

/**
 * What a closed run leaves outside its own keys expires with it: the thread's reverse lookup
 * (`thread:<channel>:<ts>`) and its summary among the checklist's closed runs (`closed:<id>`).
 */

/** The thread key of a run's message, for the commit that closes it; `fallback` when not posted yet. */
export async function threadKeyOfRun(
  redis: Redis,
  prefix: string,
  messageKey: string,
  fallback: string,
): Promise<string> {
  const ref = messageRefOf(await storage(() => redis.get(messageKey)));
  return ref ? threadKeyOf(prefix, ref) : fallback;
}

/**
 * Drops the summaries of runs closed longer ago than the retention (a hash's fields do not
 * expire one by one before Redis 7.4). `closedAt` is the engine's time of the run just closed.
 */
export async function pruneClosedRuns(
  redis: Redis,
  closedKey: string,
  closedAt: string,
  retentionSeconds: number,
): Promise<void> {
  const cutoff = Date.parse(closedAt) - retentionSeconds * 1_000;
  if (Number.isNaN(cutoff)) return;
  const entries = await storage(() => redis.hgetall(closedKey));
  const expired = Object.entries(entries)
    .filter(([, json]) => {
      const at = Date.parse((JSON.parse(json) as PriorRun).closedAt ?? "");
      return !Number.isNaN(at) && at < cutoff;
    })
    .map(([runId]) => runId);
  if (expired.length > 0) await storage(() => redis.hdel(closedKey, ...expired));
}

export const isClosed = (run: Run) => run.status === "finished" || run.status === "aborted";

/** What a checklist keeps of each of its closed runs (`closed:<id>`). */
export function priorRunOf(run: Run): PriorRun {
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
