import type { Redis } from "ioredis";
import type { RunStore } from "../core/ports.js";
import { dataNodes } from "./redis-connection.js";

/**
 * What the metrics' gauges read when Prometheus scrapes: the state every replica shares. Reads
 * only (SCAN, SCARD, the store's own outbox reads); a scrape never changes anything.
 */

/** Runs active now: the members of every channel's active set. */
export async function countActiveRuns(redis: Redis, prefix: string): Promise<number> {
  let total = 0;
  for (const node of dataNodes(redis)) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", `${escapeGlob(prefix)}active:*`, "COUNT", 500);
      cursor = next;
      const sizes = await Promise.all(keys.map((key) => node.scard(key)));
      total += sizes.reduce((sum, size) => sum + size, 0);
    } while (cursor !== "0");
  }
  return total;
}

/** Outbox entries not yet carried out, and the age of the oldest. */
export async function outboxSummary(
  store: Pick<RunStore, "runsWithOutbox" | "outbox">,
  now: Date,
): Promise<{ depth: number; oldestAgeSeconds: number }> {
  let depth = 0;
  let oldest = now.getTime();
  for (const runId of await store.runsWithOutbox()) {
    const entries = await store.outbox(runId);
    depth += entries.length;
    for (const entry of entries) oldest = Math.min(oldest, Date.parse(entry.at));
  }
  return { depth, oldestAgeSeconds: Math.max(0, (now.getTime() - oldest) / 1_000) };
}

/** A prefix such as `{preflight}:` matched literally by SCAN's glob. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
