import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Leases } from "../core/ports.js";
import { scriptsOf, storage } from "./redis-scripts.js";

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
