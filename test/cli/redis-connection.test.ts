import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportRun } from "../../src/cli/export-command.js";
import { cliRedisTarget } from "../../src/cli/redis-connection.js";
import { createRedisRunStore } from "../../src/store/redis-run-store.js";
import { newRun } from "../support/checklist-fixtures.js";
import { isolatedRedis, REDIS_URL } from "../support/redis.js";

/**
 * The CLI finds Redis as the bot does: REDIS_URL, Sentinels (REDIS_SENTINELS, REDIS_SENTINEL_NAME)
 * or a Cluster (REDIS_CLUSTER_NODES, its keys under one hash tag), with the bot's words for a
 * mistake. The commands against a real Cluster and Sentinels: test/e2e/redis-ha.test.ts.
 */

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe("the CLI's Redis settings", () => {
  it("are one server by default, under REDIS_PREFIX", () => {
    expect(cliRedisTarget({})).toEqual({
      ok: true,
      target: { kind: "single", url: "redis://127.0.0.1:6379" },
      prefix: "preflight:",
    });
  });

  it("name the Sentinels and the primary they watch", () => {
    const configured = cliRedisTarget({
      REDIS_SENTINELS: "10.0.0.1:26379, 10.0.0.2:26379",
      REDIS_SENTINEL_NAME: "preflight",
      REDIS_PREFIX: "team-a:",
    });
    expect(configured).toEqual({
      ok: true,
      target: {
        kind: "sentinel",
        sentinels: [
          { host: "10.0.0.1", port: 26379 },
          { host: "10.0.0.2", port: 26379 },
        ],
        name: "preflight",
        url: "redis://127.0.0.1:6379",
      },
      prefix: "team-a:",
    });
  });

  it("in a Cluster, read the keys the bot wrote: the prefix inside one hash tag", () => {
    const configured = cliRedisTarget({ REDIS_CLUSTER_NODES: "10.0.0.5:6379", REDIS_PREFIX: "team-a:" });
    expect(configured).toMatchObject({
      ok: true,
      target: { kind: "cluster", nodes: [{ host: "10.0.0.5", port: 6379 }] },
      prefix: "{team-a}:",
    });
  });

  it("are refused with the bot's words, and no connection is tried", async () => {
    const cases: [Record<string, string>, string][] = [
      [{ REDIS_SENTINELS: "10.0.0.1:26379" }, "REDIS_SENTINEL_NAME is required with REDIS_SENTINELS"],
      [
        { REDIS_SENTINELS: "10.0.0.1:26379", REDIS_SENTINEL_NAME: "p", REDIS_CLUSTER_NODES: "10.0.0.5:6379" },
        "REDIS_SENTINELS and REDIS_CLUSTER_NODES can't both be set",
      ],
      [{ REDIS_CLUSTER_NODES: "10.0.0.5" }, "REDIS_CLUSTER_NODES must be host:port pairs"],
      [{ REDIS_URL: "http://127.0.0.1:6379" }, "REDIS_URL must be a redis:// or rediss:// URL"],
    ];
    for (const [env, words] of cases) {
      const configured = cliRedisTarget(env);
      expect(configured.ok ? [] : configured.problems.join("\n")).toContain(words);
      const { io: cli, err } = io();
      expect(await exportRun("r-1", cli, env)).toBe(1);
      expect(err.join("\n")).toContain(words);
    }
  });

  it("say which Sentinels could not be reached, at once", async () => {
    const { io: cli, err } = io();
    const env = { REDIS_SENTINELS: "127.0.0.1:1", REDIS_SENTINEL_NAME: "preflight" };
    expect(await exportRun("r-1", cli, env)).toBe(1);
    expect(err.join("\n")).toContain(
      `can't reach Redis at primary "preflight" of the Sentinels at 127.0.0.1:1`,
    );
  });
});

describe("a command against the plain Redis", () => {
  let redisEnv: Awaited<ReturnType<typeof isolatedRedis>>;
  beforeEach(async () => {
    redisEnv = await isolatedRedis();
  });
  afterEach(async () => {
    await redisEnv.cleanup();
  });

  it("reads the run under REDIS_PREFIX at REDIS_URL, the topology variables unset or empty", async () => {
    await createRedisRunStore(redisEnv.redis, { prefix: redisEnv.prefix }).create(newRun());
    const { io: cli, out, err } = io();
    const env = { REDIS_URL, REDIS_PREFIX: redisEnv.prefix, REDIS_SENTINELS: "", REDIS_CLUSTER_NODES: "" };
    expect(await exportRun("run-1", cli, env)).toBe(0);
    expect(err).toEqual([]);
    expect(JSON.parse(out.join("\n")).run.id).toBe("run-1");
  });
});
