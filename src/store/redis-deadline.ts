import type { Redis } from "ioredis";
import { storage } from "./redis-scripts.js";

/**
 * A commit that reaches Redis after its sender gave up must not be applied: the person was told
 * "could not save this", so it must be true. A hung Redis (paused, swapping, a long script) still
 * runs the commands queued meanwhile when it wakes; the commit scripts therefore carry a deadline
 * in Redis's own clock and refuse, writing nothing, once it has passed (`{'late', ''}`).
 *
 * Redis's clock is read with TIME and kept as an offset from this host's (refreshed every
 * minute), so hosts whose clocks disagree still agree on the deadline to within half a round trip.
 * This is the transport's wall clock, not the run's: the domain clock (clock.ts) may be moved on by
 * the sandbox, this one never is.
 */
export function createCommitDeadline(redis: Redis, budgetMs: number | undefined) {
  let offset: { ms: number; at: number } | undefined;
  return async function deadline(): Promise<string> {
    if (budgetMs === undefined) return "";
    if (!offset || Date.now() - offset.at > 60_000) {
      const before = Date.now();
      const [seconds, micros] = await storage(() => redis.time());
      const after = Date.now();
      const redisMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      offset = { ms: redisMs - (before + after) / 2, at: after };
    }
    return String(Math.round(Date.now() + offset.ms + budgetMs));
  };
}
