import type { Redis } from "ioredis";
import { type Checklist, checklistSchema } from "../core/checklist/schema.js";
import { PreflightError } from "../core/errors.js";
import { createLru } from "./lru.js";
import { storage } from "./redis-scripts.js";
import { planHashOf } from "./run-document.js";

/**
 * Checklist versions (a run's filled-in plan) stored once by content hash; runs refer to theirs.
 * Immutable by hash, so each is parsed once per process and kept in a bounded cache.
 */
export function createRedisPlans(redis: Redis, keyOf: (hash: string) => string, size: number) {
  /** Plans are immutable by hash: parsed once, kept in a bounded cache. */
  const plans = createLru<string, Checklist>(size);
  /** Which plan object came from which hash, so a commit need not hash its plan again. */
  const hashOfPlan = new WeakMap<object, string>();

  async function planOf(hash: string): Promise<Checklist> {
    const cached = plans.get(hash);
    if (cached) return cached;
    const json = await storage(() => redis.get(keyOf(hash)));
    if (json === null)
      throw new PreflightError("corrupt_data", `the checklist version ${hash} is missing from Redis`);
    const parsed = checklistSchema.safeParse(JSON.parse(json));
    if (!parsed.success)
      throw new PreflightError("corrupt_data", `the checklist version ${hash} in Redis is malformed`);
    plans.set(hash, parsed.data);
    hashOfPlan.set(parsed.data, hash);
    return parsed.data;
  }

  /** Stores the run's plan once (SET NX: the same content has the same key); returns its hash. */
  async function storePlan(plan: Checklist): Promise<string> {
    const known = hashOfPlan.get(plan);
    if (known) return known;
    const hash = planHashOf(plan);
    await storage(() => redis.set(keyOf(hash), JSON.stringify(plan), "NX"));
    plans.set(hash, plan);
    hashOfPlan.set(plan, hash);
    return hash;
  }

  return { planOf, storePlan };
}
