import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { applyEvent } from "../../src/core/run/apply-event.js";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { createRedisRunStore } from "../../src/store/redis-run-store.js";
import { newRun, T0 } from "../support/checklist-fixtures.js";
import { isolatedRedis, redisChildEnv } from "../support/redis.js";

let env: Awaited<ReturnType<typeof isolatedRedis>>;
const saved = { ...process.env };

beforeEach(async () => {
  env = await isolatedRedis();
  Object.assign(process.env, redisChildEnv(env.prefix));
});
afterEach(async () => {
  process.env = { ...saved };
  await env.cleanup();
});

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("preflight export <run-id>", () => {
  it("prints the whole run, every note included, and its log as JSON, with when it expires", async () => {
    const store = createRedisRunStore(env.redis, { prefix: env.prefix });
    await store.create(newRun());
    const events: RunEvent[] = [
      ...Array.from(
        { length: 40 },
        (_, i): RunEvent => ({
          type: "add_note",
          text: `note ${i}`,
          source: "thread",
          by: "U_CAROL",
        }),
      ),
      { type: "abort", reason: "window moved", by: "U_ALICE" },
    ];
    for (const [i, event] of events.entries())
      await store.update("run-1", {
        eventId: `e${i}`,
        by: event.by,
        type: event.type,
        at: T0,
        decide: (run) => applyEvent(run, event, T0),
      });
    const { code, out } = await cli("export", "run-1");
    expect(code).toBe(0);
    const exported = JSON.parse(out);
    expect(exported.run.id).toBe("run-1");
    expect(exported.run.status).toBe("aborted");
    expect(exported.run.notes).toHaveLength(40);
    expect(exported.run.plan.id).toBe("rules-demo");
    expect(exported.log.map((line: { type: string }) => line.type).at(-1)).toBe("abort");
    expect(exported.log).toHaveLength(42);
    expect(typeof exported.expiresAt).toBe("string");
  });

  it("says which run it could not find, and where it looked", async () => {
    const { code, err } = await cli("export", "r-nope");
    expect(code).toBe(1);
    expect(err).toContain(`no run "r-nope" in Redis`);
    expect(err).toContain(env.prefix);
  });
});
