import type { Redis } from "ioredis";
import { PreflightError } from "../core/errors.js";
import {
  CLEAR_OUTBOX_ENTRY,
  COMMIT_EVENT,
  CREATE_RUN,
  MARK_EFFECT,
  PENDING_EFFECTS,
  READ_VIEW,
  REDRAWN,
  RELEASE_LEASE,
  RENEW_LEASE,
} from "./run-scripts.js";

export interface RunScripts {
  createRun(...args: string[]): Promise<number | unknown[]>;
  commitEvent(...args: string[]): Promise<[string, string]>;
  clearOutboxEntry(...args: string[]): Promise<number>;
  redrawn(...args: string[]): Promise<number>;
  releaseLease(...args: string[]): Promise<number>;
  markEffect(...args: string[]): Promise<number>;
  pendingEffects(...args: string[]): Promise<[string[], string[]]>;
  readView(...args: string[]): Promise<unknown[]>;
  renewLease(...args: string[]): Promise<number>;
}

/** Sends the scripts once per connection; later calls go by SHA (EVALSHA). */
export function scriptsOf(redis: Redis): RunScripts {
  const defined = redis as Redis & Partial<RunScripts>;
  if (!defined.commitEvent) {
    redis.defineCommand("createRun", { numberOfKeys: 9, lua: CREATE_RUN });
    redis.defineCommand("commitEvent", { numberOfKeys: 14, lua: COMMIT_EVENT });
    redis.defineCommand("markEffect", { numberOfKeys: 2, lua: MARK_EFFECT });
    redis.defineCommand("pendingEffects", { numberOfKeys: 2, lua: PENDING_EFFECTS });
    redis.defineCommand("readView", { numberOfKeys: 4, lua: READ_VIEW });
    redis.defineCommand("clearOutboxEntry", { numberOfKeys: 2, lua: CLEAR_OUTBOX_ENTRY });
    redis.defineCommand("redrawn", { numberOfKeys: 1, lua: REDRAWN });
    redis.defineCommand("releaseLease", { numberOfKeys: 1, lua: RELEASE_LEASE });
    redis.defineCommand("renewLease", { numberOfKeys: 1, lua: RENEW_LEASE });
  }
  return defined as Redis & RunScripts;
}

/**
 * One script, defined on the connection the first time it is asked for: ioredis sends its text
 * once per connection and calls it by SHA afterwards (and again whole after a NOSCRIPT).
 */
export function scriptOf<R = unknown>(
  redis: Redis,
  name: string,
  numberOfKeys: number,
  lua: string,
): (...args: string[]) => Promise<R> {
  const defined = redis as unknown as Record<string, ((...args: string[]) => Promise<R>) | undefined>;
  if (!defined[name]) redis.defineCommand(name, { numberOfKeys, lua });
  const call = defined[name] as (...args: string[]) => Promise<R>;
  return (...args) => call.apply(redis, args);
}

/** Storage errors in the words of the error family: Redis not answering is not a bug. */
export async function storage<T>(work: () => Promise<T>): Promise<T> {
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
