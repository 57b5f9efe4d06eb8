import type { Redis } from "ioredis";

/**
 * Per person, the runs they own or buddy and the windows they scheduled or are named in, newest
 * first: the Home tab reads these instead of scanning every run and window. A run enters when it
 * starts (owner, buddy) and when it is handed over or gets a new buddy; entries are never removed
 * (the run itself says what is still due), only the oldest beyond `KEEP` are dropped.
 */

const KEEP = 100;

export interface PersonIndex {
  add(kind: "runs" | "windows", user: string, id: string, at: Date): Promise<void>;
  list(kind: "runs" | "windows", user: string): Promise<string[]>;
}

export function createPersonIndex(redis: Redis, prefix = "preflight:"): PersonIndex {
  const key = (kind: string, user: string) => `${prefix}person:${user}:${kind}`;
  return {
    async add(kind, user, id, at) {
      await redis
        .multi()
        .zadd(key(kind, user), at.getTime(), id)
        .zremrangebyrank(key(kind, user), 0, -(KEEP + 1))
        .exec();
    },
    async list(kind, user) {
      return redis.zrevrange(key(kind, user), 0, KEEP - 1);
    },
  };
}
