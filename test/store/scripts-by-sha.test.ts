import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisMessageRefs } from "../../src/store/redis-message-refs.js";
import { createRedisLeases, createRedisRunStore } from "../../src/store/redis-run-store.js";
import { scriptOf } from "../../src/store/redis-scripts.js";
import { createRedisWindowStore } from "../../src/store/redis-windows.js";
import { newRun } from "../support/checklist-fixtures.js";
import { startPrivateRedis } from "../support/private-redis.js";
import { isolatedRedis } from "../support/redis.js";

/**
 * Lua scripts are sent once per connection and called by their SHA afterwards: a run message's
 * place saved and a window claimed, each many times, send each script's text once (MONITOR).
 */

let env: Awaited<ReturnType<typeof isolatedRedis>>;
beforeEach(async () => {
  env = await isolatedRedis();
});
afterEach(async () => env.cleanup());

async function watched(work: () => Promise<void>): Promise<string[][]> {
  const monitor = await env.connect().monitor();
  const seen: string[][] = [];
  monitor.on("monitor", (_time: string, args: string[]) => {
    if (args.some((arg) => String(arg).startsWith(env.prefix))) seen.push(args.map(String));
  });
  await work();
  // MONITOR's feed trails the commands a little.
  await new Promise((resolve) => setTimeout(resolve, 100));
  monitor.disconnect();
  return seen;
}

describe("Lua scripts", () => {
  it("are sent once, then called by SHA", async () => {
    const connection = env.connect();
    const refs = createRedisMessageRefs(connection, env.prefix);
    const windows = createRedisWindowStore(connection, env.prefix);
    const seen = await watched(async () => {
      for (let i = 0; i < 5; i++) {
        await refs.save(`run-${i}`, { channel: "C1", ts: `1.${i}` });
        await windows.save({
          id: `w-${i}`,
          checklistId: "db-upgrade",
          title: "Upgrade",
          params: {},
          channel: "C1",
          owner: "U1",
          dryRun: false,
          startsAt: "2026-12-03T10:00:00.000Z",
          status: "scheduled",
          createdAt: "2026-12-02T10:00:00.000Z",
        });
        expect((await windows.claim(`w-${i}`, "started"))?.status).toBe("started");
      }
    });
    const scripts = seen.filter((args) => ["eval", "evalsha"].includes(args[0]?.toLowerCase() ?? ""));
    expect(scripts).toHaveLength(10);
    // One EVAL per script (the first call on the connection), EVALSHA for the other eight.
    expect(scripts.filter((args) => args[0]?.toLowerCase() === "eval")).toHaveLength(2);
  });

  it("are sent whole again when Redis no longer knows them (SCRIPT FLUSH, a restart)", async () => {
    // A server of its own: flushing the shared one's scripts would disturb other tests.
    const server = await startPrivateRedis();
    const connection = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      const add = scriptOf<number>(connection, 1, "return redis.call('INCRBY', KEYS[1], ARGV[1])");
      expect(await add("n", "1")).toBe(1);
      expect(await add("n", "1")).toBe(2);
      await connection.script("FLUSH");
      expect(await add("n", "5")).toBe(7);
      expect(await add("n", "1")).toBe(8);
      // Errors of the script itself are not mistaken for a missing script.
      await expect(add("n", "not a number")).rejects.toThrow(/not an integer/);
    } finally {
      connection.disconnect();
      await server.close();
    }
  });

  it("stay off the connection's command table: a pipeline copies nothing per script", async () => {
    const connection = env.connect({ enableAutoPipelining: true });
    const store = createRedisRunStore(connection, { prefix: env.prefix });
    createRedisLeases(connection, env.prefix);
    createRedisMessageRefs(connection, env.prefix);
    createRedisWindowStore(connection, env.prefix);
    const run = newRun();
    await store.create(run, []);
    expect((await store.get(run.id))?.id).toBe(run.id);
    // ioredis copies each command defined on a connection (defineCommand) into every pipeline it
    // makes there: one a tick with auto-pipelining.
    expect(Object.keys((connection as unknown as { scriptsSet: object }).scriptsSet)).toEqual([]);
  });
});
