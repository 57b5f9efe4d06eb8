import { afterEach, describe, expect, it } from "vitest";
import { startHarness } from "../support/bot-harness.js";

let harness: Awaited<ReturnType<typeof startHarness>> | undefined;
afterEach(async () => {
  await harness?.stopBot();
  harness = undefined;
});

describe("BullMQ and the store's connection", () => {
  it("keeps BullMQ's Lua scripts off the store's connection, so its pipelines stay cheap", async () => {
    harness = await startHarness();
    const { bot } = harness;
    // The queues and the worker have loaded their scripts.
    await Promise.all([bot.timers.queue.waitUntilReady(), bot.actionQueue.queue.waitUntilReady()]);
    await bot.worker.waitUntilReady();
    await harness.command("start db-upgrade env=staging", "U_ALICE");

    // ioredis copies each script defined on a connection into every MULTI and pipeline it
    // makes there, and auto-pipelining makes one a tick: BullMQ's ~60 would cost every commit.
    // Preflight's own go by EVALSHA without being defined there (scriptOf): none at all.
    expect(Object.keys(bot.redis.scriptsSet)).toEqual([]);
  });
});
