import { createHash } from "node:crypto";
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

/** The run store's scripts on a connection (one set per connection). */
export function scriptsOf(redis: Redis): RunScripts {
  let scripts = runScripts.get(redis);
  if (!scripts) {
    scripts = {
      createRun: scriptOf(redis, 9, CREATE_RUN),
      commitEvent: scriptOf(redis, 14, COMMIT_EVENT),
      markEffect: scriptOf(redis, 2, MARK_EFFECT),
      pendingEffects: scriptOf(redis, 2, PENDING_EFFECTS),
      readView: scriptOf(redis, 4, READ_VIEW),
      clearOutboxEntry: scriptOf(redis, 2, CLEAR_OUTBOX_ENTRY),
      redrawn: scriptOf(redis, 1, REDRAWN),
      releaseLease: scriptOf(redis, 1, RELEASE_LEASE),
      renewLease: scriptOf(redis, 1, RENEW_LEASE),
    };
    runScripts.set(redis, scripts);
  }
  return scripts;
}

const runScripts = new WeakMap<Redis, RunScripts>();
/** The SHAs of the scripts each connection has sent whole. */
const sentOn = new WeakMap<Redis, Set<string>>();

/**
 * One script: its text goes once per connection (EVAL), then it is called by SHA (EVALSHA), and
 * whole again when Redis no longer knows it (NOSCRIPT: a restart, a failover, another Cluster
 * node). Not ioredis's `defineCommand`: ioredis copies every command defined on a connection into
 * each pipeline it makes there, and with auto-pipelining it makes one a tick (~18 KB of garbage a
 * click with the bot's 14 scripts).
 */
export function scriptOf<R = unknown>(
  redis: Redis,
  numberOfKeys: number,
  lua: string,
): (...args: string[]) => Promise<R> {
  const sha = createHash("sha1").update(lua).digest("hex");
  return async (...args) => {
    let sent = sentOn.get(redis);
    if (!sent) {
      sent = new Set<string>();
      sentOn.set(redis, sent);
    }
    if (!sent.has(sha)) {
      sent.add(sha);
      return (await redis.eval(lua, numberOfKeys, ...args)) as R;
    }
    try {
      return (await redis.evalsha(sha, numberOfKeys, ...args)) as R;
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      return (await redis.eval(lua, numberOfKeys, ...args)) as R;
    }
  };
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
