import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EffectLedger, Logger, RunPublisher, ThreadLine } from "../../src/core/ports.js";
import { applyEvent } from "../../src/core/run/apply-event.js";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { createEffectRunner } from "../../src/service/effect-runner.js";
import { createMessageRefresher } from "../../src/slack/message-refresher.js";
import { createRedisMessageRefs } from "../../src/store/redis-message-refs.js";
import { createRedisLeases, createRedisRunStore } from "../../src/store/redis-run-store.js";
import { idleScheduler, newRun, T0 } from "../support/checklist-fixtures.js";
import { countSocketWrites, isolatedRedis } from "../support/redis.js";

/**
 * What one click costs in Redis round trips, counted on the connection (a MULTI or pipeline is
 * one write): its commit, then carrying out its thread line exactly once (lease, outbox and
 * records, "tried" before the post, "done" after, the entry cleared, a last look, release).
 */

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const ALICE = "U_ALICE";

let env: Awaited<ReturnType<typeof isolatedRedis>>;
beforeEach(async () => {
  env = await isolatedRedis();
});
afterEach(async () => env.cleanup());

/** Posts as post-once.ts does: "tried" before the post, "done" after; the place read from refs. */
function ledgerPublisher(refs: ReturnType<typeof createRedisMessageRefs>) {
  const posted: string[] = [];
  const mark = async (ledger: EffectLedger, ids: string[], status: "tried" | "done") => {
    for (const id of ids) await ledger.mark(id, { status, at: T0.toISOString() });
  };
  const publisher: RunPublisher = {
    async publish(run, effectId, ledger) {
      await mark(ledger, [effectId], "tried");
      await refs.save(run.id, { channel: run.channel, ts: "1.0" });
      posted.push("run message");
      await mark(ledger, [effectId], "done");
    },
    async postLines(run, lines: readonly ThreadLine[], ledger) {
      await refs.get(run.id);
      const ids = lines.map((line) => line.effectId).filter((id) => ledger.get(id)?.status !== "done");
      if (ids.length === 0) return;
      await mark(ledger, ids, "tried");
      posted.push(...lines.map((line) => line.effect.type));
      await mark(ledger, ids, "done");
    },
    postSummary: async () => {},
    redraw: async () => "drawn",
    tellOwner: async () => {},
  };
  return { publisher, posted };
}

async function setUp(inOrder = true) {
  // As the bot's connection is (redis-connection.ts): a tick's commands in one write.
  const connection = env.connect({ enableAutoPipelining: true });
  await connection.ping();
  const store = createRedisRunStore(connection, { prefix: env.prefix });
  const refs = createRedisMessageRefs(connection, env.prefix);
  const slack = ledgerPublisher(refs);
  const runner = createEffectRunner({
    store,
    leases: createRedisLeases(connection, env.prefix),
    publisher: slack.publisher,
    scheduler: idleScheduler,
    report: async () => undefined,
    log: quiet,
    now: () => T0,
    lineBatchMs: 0,
    inOrder,
  });
  const run = newRun();
  await store.create(run, [{ type: "publish_run_message" }]);
  await runner.kick(run.id);
  const writes = countSocketWrites(connection);
  const act = (event: RunEvent, eventId: string) =>
    store.update(run.id, {
      eventId,
      by: event.by,
      type: event.type,
      at: T0,
      decide: (r) => applyEvent(r, event, T0),
    });
  return { store, runner, run, slack, act, writes, connection };
}

describe("one click in Redis round trips", () => {
  it("a completed step: its commit and its thread line, once, in at most 4 round trips", async () => {
    const { store, runner, run, slack, act, writes } = await setUp();
    const before = writes();
    const result = await act({ type: "complete_step", stepId: "announce", by: ALICE }, "click-1");
    expect(result.status).toBe("applied");
    await runner.kick(run.id);
    // 1 commit; 3 to carry out: the lease with the outbox and its records, "tried" before the
    // post, then "done", the cleared entry and the release together (no last look at the outbox:
    // nothing was committed here since it was read).
    expect(writes() - before).toBeLessThanOrEqual(4);
    expect(slack.posted).toEqual(["run message", "post_activity"]);
    expect(await store.runsWithOutbox()).toEqual([]);
    // Carried out once: another pass finds nothing to post.
    await runner.kick(run.id);
    expect(slack.posted).toEqual(["run message", "post_activity"]);
  });

  it("where commands may not keep their order (a Cluster), each write waits for the one before: 7", async () => {
    const { store, runner, run, slack, act, writes } = await setUp(false);
    const before = writes();
    await act({ type: "complete_step", stepId: "announce", by: ALICE }, "click-1");
    await runner.kick(run.id);
    // 1 commit; lease, outbox with records, tried, done, clear, release.
    expect(writes() - before).toBe(7);
    expect(slack.posted).toEqual(["run message", "post_activity"]);
    expect(await store.runsWithOutbox()).toEqual([]);
  });

  it("a change that only redraws the message leaves nothing in the outbox (no pass at all)", async () => {
    const { store, run } = await setUp();
    const result = await store.update(run.id, {
      eventId: "redraw-only",
      by: ALICE,
      type: "add_note",
      at: T0,
      decide: (r) => ({
        accepted: true,
        run: { ...r, version: r.version + 1 },
        effects: [{ type: "refresh_run_message" }],
      }),
    });
    expect(result.status === "applied" && result.outbox).toBeUndefined();
    expect(await store.runsWithOutbox()).toEqual([]);
    // The redraw is still wanted: every commit records the version its message should show.
    expect(await store.redrawsWanted()).toContainEqual({ runId: run.id, version: run.version + 1 });
  });

  it('the pass\'s "done" marks are in Redis before its lease is free', async () => {
    const { store, runner, run, act, connection } = await setUp();
    await act({ type: "complete_step", stepId: "announce", by: ALICE }, "click-1");
    const lineIds = (await store.outbox(run.id)).flatMap((entry) => entry.effects.map((e) => e.id));
    expect(lineIds.length).toBeGreaterThan(0);
    await runner.kick(run.id);
    const records = await store.effectRecords(run.id, lineIds);
    expect(lineIds.map((id) => records[id]?.status)).toEqual(lineIds.map(() => "done"));
    // Released: another process may take the run's effects at once.
    expect(await createRedisLeases(connection, env.prefix).acquire(`effects:${run.id}`, 1_000)).toBeDefined();
  });

  it("a redraw: the lease, then the wish cleared and the lease released together (2 round trips)", async () => {
    const { store, run, act, connection } = await setUp();
    const result = await act({ type: "complete_step", stepId: "announce", by: ALICE }, "click-1");
    if (result.status !== "applied") throw new Error("not applied");
    const drawn: number[] = [];
    const refresher = createMessageRefresher({
      store,
      leases: createRedisLeases(connection, env.prefix),
      publisher: {
        ...ledgerPublisher(createRedisMessageRefs(connection, env.prefix)).publisher,
        redraw: async (r) => {
          drawn.push(r.version);
          return "drawn";
        },
      },
      log: quiet,
      minIntervalMs: 0,
    });
    const writes = countSocketWrites(connection);
    refresher.request(run.id, result.run);
    await refresher.idle();
    expect(drawn).toEqual([result.run.version]);
    expect(writes()).toBe(2);
    expect(await store.redrawsWanted()).toEqual([]);
    expect(await createRedisLeases(connection, env.prefix).acquire(`draw:${run.id}`, 1_000)).toBeDefined();
    refresher.stop();
  });
});
