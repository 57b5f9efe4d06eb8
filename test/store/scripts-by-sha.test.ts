import { connect } from "node:net";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedisMessageRefs } from "../../src/store/redis-message-refs.js";
import { createRedisLeases, createRedisRunStore } from "../../src/store/redis-run-store.js";
import { scriptOf } from "../../src/store/redis-scripts.js";
import { createRedisWindowStore } from "../../src/store/redis-windows.js";
import { newRun } from "../support/checklist-fixtures.js";
import { startPrivateRedis } from "../support/private-redis.js";
import { isolatedRedis, REDIS_URL } from "../support/redis.js";

/**
 * Lua scripts are sent once per connection and called by their SHA afterwards: a run message's
 * place saved and a window claimed, each many times, send each script's text once (MONITOR).
 */

let env: Awaited<ReturnType<typeof isolatedRedis>>;
beforeEach(async () => {
  env = await isolatedRedis();
});
afterEach(async () => env.cleanup());

/**
 * The commands Redis ran for this test's keys while `work` ran, seen through MONITOR on a socket of
 * its own: ioredis's `monitor()` can take a feed line that shares a packet with MONITOR's "OK" for
 * a reply to nothing ("Command queue state error") when other tests keep the server busy.
 */
async function watched(work: () => Promise<void>): Promise<string[][]> {
  const url = new URL(REDIS_URL);
  const socket = connect(Number(url.port || 6379), url.hostname);
  const seen: string[][] = [];
  let buffered = "";
  let ready: () => void = () => {};
  const monitoring = new Promise<void>((resolve) => {
    ready = resolve;
  });
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\r\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (line === "+OK" && --answersDue === 0) ready();
      // +1700000000.000000 [0 127.0.0.1:5000] "evalsha" "…" "2" "key" …
      const args = [...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1] ?? "");
      if (args.some((arg) => arg.startsWith(env.prefix))) seen.push(args);
    }
  });
  // AUTH first when the URL carries a password; the feed starts once MONITOR is answered too.
  const commands = [
    ...(url.password
      ? [`AUTH ${decodeURIComponent(url.username || "default")} ${decodeURIComponent(url.password)}`]
      : []),
    "MONITOR",
  ];
  let answersDue = commands.length;
  socket.write(commands.map((command) => `${command}\r\n`).join(""));
  await monitoring;
  await work();
  // MONITOR's feed trails the commands a little.
  await new Promise((resolve) => setTimeout(resolve, 100));
  socket.destroy();
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
