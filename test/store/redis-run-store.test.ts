import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunStore, RunUpdate } from "../../src/core/ports.js";
import { applyEvent } from "../../src/core/run/apply-event.js";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { createRedisRunStore } from "../../src/store/redis-run-store.js";
import { minutesAfter, newRun, T0 } from "../support/checklist-fixtures.js";
import { isolatedRedis } from "../support/redis.js";

let env: Awaited<ReturnType<typeof isolatedRedis>>;
let store: RunStore;

beforeEach(async () => {
  env = await isolatedRedis();
  store = createRedisRunStore(env.redis, { prefix: env.prefix });
});
afterEach(async () => env.cleanup());

const update = (event: RunEvent, eventId: string, at = T0): RunUpdate => ({
  eventId,
  by: event.by,
  type: event.type,
  at,
  decide: (run) => applyEvent(run, event, at),
});

describe("Redis run store", () => {
  it("keeps a run and gives it back validated", async () => {
    const run = newRun();
    await store.create(run);
    expect(await store.get(run.id)).toEqual(run);
    await expect(store.create(run)).rejects.toThrow("run run-1 already exists");
  });

  it("applies an event, appends it to the log and lists the run as active in its channel", async () => {
    await store.create(newRun());
    const result = await store.update(
      "run-1",
      update({ type: "complete_step", stepId: "announce", by: "U_ALICE" }, "click-1"),
    );
    expect(result.status).toBe("applied");
    expect((await store.get("run-1"))?.steps[0]?.status).toBe("done");
    expect(await store.log("run-1")).toEqual([
      expect.objectContaining({ type: "run_started", accepted: true, version: 0 }),
      {
        at: T0.toISOString(),
        by: "U_ALICE",
        type: "complete_step",
        eventId: "click-1",
        accepted: true,
        version: 1,
      },
    ]);
    expect((await store.activeRuns("C_OPS")).map((run) => run.id)).toEqual(["run-1"]);
  });

  it("logs a refused event with its reason and leaves the run unchanged", async () => {
    await store.create(newRun());
    const result = await store.update(
      "run-1",
      update({ type: "skip_step", stepId: "announce", reason: "", by: "U_BOB" }, "click-1"),
    );
    expect(result).toMatchObject({ status: "refused", refusal: { code: "reason_required" } });
    expect((await store.get("run-1"))?.version).toBe(0);
    expect((await store.log("run-1")).at(-1)).toMatchObject({
      by: "U_BOB",
      accepted: false,
      refusal: { code: "reason_required", message: expect.stringContaining("Give a reason") },
    });
  });

  it("applies the same click delivered twice once", async () => {
    await store.create(newRun());
    const click = update(
      { type: "add_note", text: "starting now", source: "button", by: "U_ALICE" },
      "click-1",
    );
    const first = await store.update("run-1", click);
    const second = await store.update("run-1", click);
    expect(first.status).toBe("applied");
    expect(second).toMatchObject({ status: "duplicate", outcome: { accepted: true, version: 1 } });
    const run = await store.get("run-1");
    expect(run?.notes).toHaveLength(1);
    expect(run?.version).toBe(1);
    expect(await store.log("run-1")).toHaveLength(2);
  });

  it("applies concurrent updates from separate connections one at a time, losing none", async () => {
    await store.create(newRun());
    const stores = Array.from({ length: 5 }, () =>
      createRedisRunStore(env.connect(), { prefix: env.prefix }),
    );
    const notes = Array.from({ length: 40 }, (_, i) =>
      (stores[i % stores.length] as RunStore).update(
        "run-1",
        update(
          { type: "add_note", text: `note ${i}`, source: "thread", by: "U_CAROL" },
          `note-${i}`,
          minutesAfter(T0, i),
        ),
      ),
    );
    const results = await Promise.all(notes);
    expect(results.every((result) => result.status === "applied")).toBe(true);
    const run = await store.getComplete("run-1");
    expect(run?.version).toBe(40);
    expect(run?.notes.map((note) => note.text).sort()).toEqual(
      Array.from({ length: 40 }, (_, i) => `note ${i}`).sort(),
    );
  });

  it("puts one process's commits to a run in line: each decides once, on the run the one before committed", async () => {
    await store.create(newRun());
    let decided = 0;
    const counted = (event: RunEvent, eventId: string): RunUpdate => {
      const change = update(event, eventId);
      return {
        ...change,
        decide: (run) => {
          decided += 1;
          return change.decide(run);
        },
      };
    };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.update(
          "run-1",
          counted({ type: "add_note", text: `note ${i}`, source: "thread", by: "U_CAROL" }, `n-${i}`),
        ),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(Array(10).fill("applied"));
    // Side by side, nine of them would have lost the version check and decided again.
    expect(decided).toBe(10);
    const run = await store.getComplete("run-1");
    expect(run?.notes.map((note) => note.text)).toEqual(Array.from({ length: 10 }, (_, i) => `note ${i}`));
  });

  it("writes the effect records a commit carries, whether the event applies or is refused", async () => {
    await store.create(newRun());
    const done = (ts: string) => ({ status: "done" as const, at: T0.toISOString(), ts, channel: "C1" });
    const note = update({ type: "add_note", text: "posted", source: "thread", by: "U_CAROL" }, "n-1");
    expect((await store.update("run-1", { ...note, records: { "reminder.a": done("1.1") } })).status).toBe(
      "applied",
    );
    const refusedEvent = update({ type: "complete_step", stepId: "no-such-step", by: "U_ALICE" }, "c-x");
    const refused = await store.update("run-1", { ...refusedEvent, records: { "reminder.b": done("2.2") } });
    expect(refused.status).toBe("refused");
    expect(await store.effectRecords("run-1")).toEqual({
      "reminder.a": done("1.1"),
      "reminder.b": done("2.2"),
    });
    const missing = await store.update("run-2", { ...note, records: { "reminder.c": done("3.3") } });
    expect(missing.status).toBe("not_found");
    expect(await store.effectRecords("run-2")).toEqual({});
  });

  it("reads a run whole only when its version moved on: an unchanged run is not sent or parsed again", async () => {
    await store.create(newRun());
    const first = await store.get("run-1");
    // The same version: the view kept from the first read, not a new parse of the stored run.
    expect(await store.get("run-1")).toBe(first);
    const other = createRedisRunStore(env.connect(), { prefix: env.prefix });
    await other.update("run-1", update({ type: "complete_step", stepId: "announce", by: "U_ALICE" }, "c-1"));
    const moved = await store.get("run-1");
    expect(moved).not.toBe(first);
    expect(moved?.version).toBe(1);
    expect(moved?.steps[0]?.status).toBe("done");
    await env.redis.del(`${env.prefix}run:run-1`);
    expect(await store.get("run-1")).toBeUndefined();
  });

  it("two clicks made against the same version: one applies, the other is refused as stale", async () => {
    await store.create(newRun());
    await store.update("run-1", update({ type: "complete_step", stepId: "announce", by: "U_ALICE" }, "c0"));
    const other = createRedisRunStore(env.connect(), { prefix: env.prefix });
    const [a, b] = await Promise.all([
      store.update(
        "run-1",
        update({ type: "start_step", stepId: "snapshot", by: "U_ALICE", expectedProgress: 1 }, "ca"),
      ),
      other.update(
        "run-1",
        update(
          { type: "skip_step", stepId: "snapshot", reason: "x", by: "U_BOB", expectedProgress: 1 },
          "cb",
        ),
      ),
    ]);
    expect([a.status, b.status].sort()).toEqual(["applied", "refused"]);
    const refused = a.status === "refused" ? a : b;
    expect(refused).toMatchObject({ refusal: { code: "stale" } });
    expect((await store.get("run-1"))?.version).toBe(2);
  });

  it("a closed run leaves the active list and counts as a prior run of its checklist", async () => {
    await store.create(newRun());
    await store.update("run-1", update({ type: "abort", reason: "window moved", by: "U_ALICE" }, "abort-1"));
    expect(await store.activeRuns("C_OPS")).toEqual([]);
    expect(await store.priorRuns("rules-demo")).toEqual([
      {
        checklistId: "rules-demo",
        status: "aborted",
        environment: "qa",
        params: { env: "qa", snapshot: "demo-qa-2026-11-20" },
        // What the prod gate needs: a rehearsal never counts, nor another version, nor an old run.
        dryRun: false,
        hash: "test",
        closedAt: T0.toISOString(),
      },
    ]);
  });

  it("an id naming another key of a run (run-1:log, run-1:history…) names no run: nothing read, nothing written", async () => {
    await store.create(newRun());
    await store.update("run-1", update({ type: "complete_step", stepId: "announce", by: "U_ALICE" }, "c-1"));
    for (const id of ["run-1:log", "run-1:history", "run-1:notes", "run-1:message", "../run-1", ""]) {
      expect(await store.get(id)).toBeUndefined();
      expect(await store.getComplete(id)).toBeUndefined();
      expect(await store.log(id)).toEqual([]);
      const result = await store.update(id, update({ type: "abort", reason: "x", by: "U_ALICE" }, `a-${id}`));
      expect(result.status).toBe("not_found");
    }
    expect((await store.get("run-1"))?.status).toBe("active");
    expect(await store.log("run-1")).toHaveLength(2);
  });

  it("answers not_found for a run it does not have", async () => {
    expect(await store.update("nope", update({ type: "finish", by: "U_ALICE" }, "x"))).toEqual({
      status: "not_found",
    });
  });

  it("refuses to hand back a stored run that no longer matches the schema", async () => {
    await (env.redis as Redis).hset(
      `${env.prefix}run:broken`,
      "version",
      "0",
      "json",
      JSON.stringify({ id: "broken" }),
    );
    await expect(store.get("broken")).rejects.toThrow("run broken in Redis does not match the run schema");
  });

  it("reads back an outbox entry only when every effect in it matches its schema: none is run otherwise", async () => {
    const run = newRun();
    await store.create(run, [{ type: "publish_run_message" }]);
    expect((await store.outbox(run.id)).map((e) => e.effects.map((x) => x.effect.type))).toEqual([
      ["publish_run_message"],
    ]);
    // Someone (or something) rewrote the entry: an AWS action with no target.
    const forged = {
      id: "v9",
      runId: run.id,
      seq: 9,
      at: T0.toISOString(),
      effects: [
        { id: "x", effect: { type: "run_action", stepId: "snapshot", action: { type: "rds.modify" } } },
      ],
    };
    await env.redis.hset(`${env.prefix}run:${run.id}:outbox`, "v9", JSON.stringify(forged));
    await expect(store.outbox(run.id)).rejects.toThrow(`an outbox entry of run ${run.id} is malformed`);
  });

  it("reads with the outbox only its effects' records and their parts', however long the run's history", async () => {
    const run = newRun();
    await store.create(run, [{ type: "publish_run_message" }]);
    const [entry] = await store.outbox(run.id);
    const effectId = entry?.effects[0]?.id ?? "";
    // A long history: records of effects carried out long ago.
    for (let i = 0; i < 300; i++)
      await store.markEffect(run.id, `old.${i}`, { status: "done", at: T0.toISOString() });
    await store.markEffect(run.id, effectId, { status: "tried", at: T0.toISOString() });
    await store.markEffect(run.id, `${effectId}.file`, { status: "tried", at: T0.toISOString() });
    // A long checklist's list, posted in order in the run's thread: parts 0 and 1 so far.
    for (const part of ["list0", "list1"])
      await store.markEffect(run.id, `${effectId}.${part}`, { status: "done", at: T0.toISOString() });
    const pending = await store.pending?.(run.id);
    expect(pending?.entries.map((e) => e.id)).toEqual([entry?.id]);
    expect(Object.keys(pending?.records ?? {}).sort()).toEqual([
      effectId,
      `${effectId}.file`,
      `${effectId}.list0`,
      `${effectId}.list1`,
    ]);
  });
});
