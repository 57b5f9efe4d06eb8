import type { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Logger } from "../../src/core/ports.js";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { createEffectRunner } from "../../src/service/effect-runner.js";
import { createSlackPublisher } from "../../src/slack/slack-publisher.js";
import type { SummaryPoster } from "../../src/slack/summary-poster.js";
import { createRedisMessageRefs } from "../../src/store/redis-message-refs.js";
import { createRedisLeases, createRedisRunStore } from "../../src/store/redis-run-store.js";
import { idleScheduler, newRun, T0 } from "../support/checklist-fixtures.js";
import { longMigrationChecklist } from "../support/long-checklist.js";
import { isolatedRedis } from "../support/redis.js";

/**
 * A long checklist's run message is followed by its full list in the thread, in parts, each
 * recorded as it lands. A part that fails is tried again later: the parts already posted are
 * not posted a second time (their records are read with the outbox).
 */

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
let env: Awaited<ReturnType<typeof isolatedRedis>>;
let runner: ReturnType<typeof createEffectRunner> | undefined;
beforeEach(async () => {
  env = await isolatedRedis();
});
afterEach(async () => {
  runner?.stop();
  await runner?.idle();
  runner = undefined;
  await env.cleanup();
});

describe("the run message and its step list in the thread", () => {
  it("a part that fails is posted again later, and the parts before it never twice", async () => {
    const { posted, publish } = await setUp(
      Object.assign(new Error("An HTTP protocol error occurred: statusCode = 500"), {
        code: "slack_webapi_http_error",
        statusCode: 500,
      }),
    );
    const { store } = await publish();
    await expect.poll(async () => (await store.runsWithOutbox()).length, { timeout: 5_000 }).toBe(0);
    const parts = posted.filter((text) => text.startsWith("thread:"));
    expect(posted.filter((text) => text.startsWith("message:"))).toHaveLength(1);
    expect(parts.length).toBeGreaterThan(2);
    // Every part once, in order, the failed one included.
    expect(new Set(parts).size).toBe(parts.length);
    expect(parts.map((text) => /part (\d+) of/.exec(text)?.[1])).toEqual(parts.map((_, i) => String(i + 1)));
  });

  it("a part Slack refuses for good is said on the run; the run, whose message is there, stays open", async () => {
    const { posted, reports, publish } = await setUp(
      Object.assign(new Error("An API error occurred: msg_too_long"), {
        code: "slack_webapi_platform_error",
        data: { ok: false, error: "msg_too_long" },
      }),
    );
    await publish();
    await expect.poll(() => reports.length, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(posted.filter((text) => text.startsWith("message:"))).toHaveLength(1);
    expect(reports.map((event) => event.type)).toEqual(["post_failed"]);
    expect(reports[0]).toMatchObject({ what: "the full checklist in the run's thread" });
  });
});

/** A run of a 300-step checklist published through a client whose third post fails with `failure`. */
async function setUp(failure: Error) {
  const posted: string[] = [];
  const reports: RunEvent[] = [];
  let calls = 0;
  const client = {
    chat: {
      postMessage: async (args: { text: string; thread_ts?: string }) => {
        calls += 1;
        // The third post (the list's second part) meets a Slack having a bad moment.
        if (calls === 3) throw failure;
        posted.push(args.thread_ts ? `thread: ${args.text}` : `message: ${args.text}`);
        return { ok: true, ts: `1700000000.${String(calls).padStart(6, "0")}`, channel: "C_OPS" };
      },
    },
    conversations: { replies: async () => ({ ok: true, messages: [] }) },
  } as unknown as WebClient;
  const store = createRedisRunStore(env.redis, { prefix: env.prefix });
  const publisher = createSlackPublisher({
    client,
    refs: createRedisMessageRefs(env.redis, env.prefix),
    summaries: {} as SummaryPoster,
    claimOnce: async () => false,
    log: quiet,
    now: () => T0,
  });
  runner = createEffectRunner({
    store,
    leases: createRedisLeases(env.redis, env.prefix),
    publisher,
    scheduler: idleScheduler,
    report: async (_runId, event) => {
      reports.push(event);
    },
    log: quiet,
    now: () => T0,
    lineBatchMs: 0,
    retryMs: { first: 10, max: 20 },
    permanentRetryMs: 60_000,
  });
  const publish = async () => {
    const run = newRun({}, longMigrationChecklist());
    await store.create(run, [{ type: "publish_run_message" }]);
    await runner?.kick(run.id);
    return { store, run };
  };
  return { posted, reports, publish };
}
