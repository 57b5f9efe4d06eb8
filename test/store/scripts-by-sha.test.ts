import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisMessageRefs } from "../../src/store/redis-message-refs.js";
import { createRedisWindowStore } from "../../src/store/redis-windows.js";
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
});
