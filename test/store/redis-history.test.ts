import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HistoryEntry } from "../../src/core/history/history-schema.js";
import { createRedisHistory } from "../../src/store/redis-history.js";
import { fiveQaRuns, playRun } from "../support/history-runs.js";
import { isolatedRedis } from "../support/redis.js";

let env: Awaited<ReturnType<typeof isolatedRedis>>;
beforeAll(async () => {
  env = await isolatedRedis();
});
afterAll(async () => env.cleanup());

const runs = fiveQaRuns().map((played) => played.entries[0] as HistoryEntry);

describe("the history in Redis", () => {
  it("keeps one entry per run however often it is recorded; a newer version of the run replaces it", async () => {
    const history = createRedisHistory(env.redis, { prefix: `${env.prefix}once:` });
    const first = runs[0] as HistoryEntry;
    await history.record(first);
    await history.record(first);
    await history.record({ ...first, runVersion: first.runVersion - 1, owner: "U_OLDER" });
    expect(await history.entries("cache-flush", "qa")).toEqual([first]);
    await history.record({ ...first, runVersion: first.runVersion + 1, owner: "U_NEWER" });
    expect((await history.entries("cache-flush", "qa")).map((e) => e.owner)).toEqual(["U_NEWER"]);
  });

  it("keeps the newest runs per checklist and environment up to its limit, outside the run documents", async () => {
    const history = createRedisHistory(env.redis, { prefix: `${env.prefix}limit:`, limit: 3 });
    // Recorded out of order: the limit keeps the three that started last.
    for (const entry of [...runs].reverse()) await history.record(entry);
    const prod = playRun({
      id: "prod-1",
      start: new Date("2026-11-20T09:00:00Z"),
      flushMinutes: 4,
      warmMinutes: 12,
      env: "prod",
    }).entries[0] as HistoryEntry;
    await history.record(prod);
    expect((await history.entries("cache-flush", "qa")).map((e) => e.runId)).toEqual([
      "run-3",
      "run-4",
      "run-5",
    ]);
    expect((await history.entries("cache-flush", "prod")).map((e) => e.runId)).toEqual(["prod-1"]);
    expect((await history.entries("cache-flush")).map((e) => e.runId).sort()).toEqual([
      "prod-1",
      "run-3",
      "run-4",
      "run-5",
    ]);
    expect(await history.entries("other-checklist")).toEqual([]);
    const keys = await env.redis.keys(`${env.prefix}limit:*`);
    expect(keys.some((key) => key.includes("run:"))).toBe(false);
  });
});
