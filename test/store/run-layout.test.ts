import type { Socket } from "node:net";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunStore, RunUpdate } from "../../src/core/ports.js";
import { applyEvent } from "../../src/core/run/apply-event.js";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { createRedisMessageRefs } from "../../src/store/redis-message-refs.js";
import { createRedisRunStore } from "../../src/store/redis-run-store.js";
import { minutesAfter, newRun, T0 } from "../support/checklist-fixtures.js";
import { isolatedRedis } from "../support/redis.js";

let env: Awaited<ReturnType<typeof isolatedRedis>>;
let store: RunStore;

beforeEach(async () => {
  env = await isolatedRedis();
  store = createRedisRunStore(env.redis, { prefix: env.prefix, retentionDays: 2 });
});
afterEach(async () => env.cleanup());

const update = (event: RunEvent, eventId: string, at = T0): RunUpdate => ({
  eventId,
  by: event.by,
  type: event.type,
  at,
  decide: (run) => applyEvent(run, event, at),
});

async function addNotes(runId: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const text = `note ${String(i).padStart(4, "0")} about the replica lag`;
    const result = await store.update(
      runId,
      update({ type: "add_note", text, source: "thread", by: "U_CAROL" }, `${runId}.n${i}`),
    );
    expect(result.status).toBe("applied");
  }
}

/** Bytes Redis sent to a fresh store's connection while it applied one click. */
async function bytesReadByOneClick(runId: string): Promise<number> {
  const connection = env.connect();
  const measured = createRedisRunStore(connection, { prefix: env.prefix });
  await measured.get(runId); // the plan is read once per process, then cached
  const socket = (connection as Redis & { stream: Socket }).stream;
  const before = socket.bytesRead;
  const result = await measured.update(
    runId,
    update({ type: "complete_step", stepId: "announce", by: "U_ALICE" }, `${runId}.click`),
  );
  expect(result.status).toBe("applied");
  return socket.bytesRead - before;
}

describe("a run's size does not change what a click costs", () => {
  it("a click on a run with 1,000 notes reads what one on a run with 100 notes reads; nothing is lost", async () => {
    await store.create(newRun({ id: "small" }));
    await store.create(newRun({ id: "large" }));
    await addNotes("small", 100);
    await addNotes("large", 1_000);
    const small = await bytesReadByOneClick("small");
    const large = await bytesReadByOneClick("large");
    expect(Math.abs(large - small)).toBeLessThan(64);
    expect(large).toBeLessThan(16 * 1024);
    const complete = await store.getComplete("large");
    expect(complete?.notes).toHaveLength(1_000);
    expect(complete?.history.filter((entry) => entry.type === "add_note")).toHaveLength(1_000);
    expect(complete?.history.at(-1)?.type).toBe("complete_step");
  });

  it("a click drawn before a step moved on is refused as stale even after many notes", async () => {
    await store.create(newRun());
    await store.update("run-1", update({ type: "complete_step", stepId: "announce", by: "U_ALICE" }, "c0"));
    await store.update(
      "run-1",
      update({ type: "start_step", stepId: "snapshot", by: "U_ALICE", expectedProgress: 1 }, "s0"),
    );
    await addNotes("run-1", 60);
    const late = await store.update(
      "run-1",
      update(
        {
          type: "add_note",
          stepId: "snapshot",
          text: "late",
          source: "button",
          by: "U_BOB",
          expectedProgress: 1,
        },
        "late",
      ),
    );
    expect(late.status === "refused" && late.refusal.code).toBe("stale");
  });

  it("stores a checklist version once for all the runs that use it", async () => {
    await store.create(newRun({ id: "a" }));
    await store.create(newRun({ id: "b" }));
    expect(await env.redis.keys(`${env.prefix}plan:*`)).toHaveLength(1);
    const document = await env.redis.hget(`${env.prefix}run:a`, "json");
    expect(JSON.parse(document ?? "{}")).not.toHaveProperty("plan");
    expect((await store.get("b"))?.plan.id).toBe("rules-demo");
  });

  it("reads a run stored whole (before this layout) and keeps all of it at its next commit", async () => {
    const run = newRun();
    await env.redis.hset(`${env.prefix}run:run-1`, "version", "0", "json", JSON.stringify(run));
    expect(await store.get("run-1")).toEqual(run);
    await store.update("run-1", update({ type: "complete_step", stepId: "announce", by: "U_ALICE" }, "c0"));
    const complete = await store.getComplete("run-1");
    expect(complete?.history.map((entry) => entry.type)).toEqual([
      ...run.history.map((entry) => entry.type),
      "complete_step",
    ]);
    expect(complete?.plan).toEqual(run.plan);
  });
});

describe("a reminder's ledger", () => {
  it("reads only the records it asks for, whatever the run's history holds", async () => {
    await store.create(newRun({ id: "long" }));
    for (let i = 0; i < 500; i++)
      await store.markEffect("long", `long.${i}.line`, { status: "done", at: T0.toISOString() });
    await store.markEffect("long", "reminder.snapshot", { status: "tried", at: T0.toISOString() });
    const connection = env.connect();
    const measured = createRedisRunStore(connection, { prefix: env.prefix });
    await connection.ping();
    const socket = (connection as Redis & { stream: Socket }).stream;
    const before = socket.bytesRead;
    const records = await measured.effectRecords("long", ["reminder.snapshot", "reminder.never"]);
    expect(records).toEqual({ "reminder.snapshot": { status: "tried", at: T0.toISOString() } });
    expect(socket.bytesRead - before).toBeLessThan(200);
    expect(Object.keys(await measured.effectRecords("long"))).toHaveLength(501);
  });
});

describe("the views a process keeps", () => {
  it("hold 1,000 open runs: reading them all again reads only their versions", async () => {
    const connection = env.connect();
    const measured = createRedisRunStore(connection, { prefix: env.prefix });
    const ids = Array.from({ length: 1_000 }, (_, i) => `open-${i}`);
    await Promise.all(ids.map((id) => measured.create(newRun({ id }))));
    for (const id of ids) expect((await measured.get(id))?.id).toBe(id);
    const socket = (connection as Redis & { stream: Socket }).stream;
    const before = socket.bytesRead;
    // A burst of reminders, one for each open run: every run is still known here.
    for (const id of ids) expect((await measured.get(id))?.id).toBe(id);
    // A version is a few bytes; a run read again would be kilobytes.
    expect((socket.bytesRead - before) / ids.length).toBeLessThan(64);
  });
});

describe("a view kept from the last commit", () => {
  it("is never decided on once another process moved the run on: a refusal it would cause is not kept", async () => {
    await store.create(newRun());
    await store.update("run-1", update({ type: "complete_step", stepId: "announce", by: "U_ALICE" }, "c0"));
    const other = createRedisRunStore(env.connect(), { prefix: env.prefix });
    await other.update("run-1", update({ type: "start_step", stepId: "snapshot", by: "U_ALICE" }, "s0"));
    // The person clicked Done on the message drawn after that start (progress 2); on the view
    // this store kept (progress 1) the click looks stale and would be refused.
    const done = await store.update(
      "run-1",
      update({ type: "complete_step", stepId: "snapshot", by: "U_ALICE", expectedProgress: 2 }, "d0"),
    );
    expect(done.status).toBe("applied");
    expect((await store.log("run-1")).filter((line) => !line.accepted)).toEqual([]);
  });
});

describe("retention", () => {
  const runKeys = (id: string) =>
    ["", ":log", ":seen", ":history", ":notes", ":outbox", ":effects", ":message"].map(
      (s) => `${env.prefix}run:${id}${s}`,
    );

  it("a closed run, its log and its outbox expire after the retention; an active run does not", async () => {
    await store.create(newRun({ id: "open" }));
    await store.create(newRun({ id: "done" }));
    await addNotes("open", 1);
    await addNotes("done", 1);
    for (const id of ["open", "done"])
      await env.redis.set(`${env.prefix}run:${id}:message`, JSON.stringify({ channel: "C_OPS", ts: "1.0" }));
    await store.update("done", update({ type: "abort", reason: "window missed", by: "U_ALICE" }, "ab"));
    await store.markEffect("done", "done.9.0", { status: "done", at: T0.toISOString() });
    await store.update(
      "done",
      update({ type: "follow_up_added", text: "fix the runbook", by: "U_ALICE" }, "fu", minutesAfter(T0, 5)),
    );
    for (const key of runKeys("open")) expect(await env.redis.ttl(key)).toBeLessThan(0);
    for (const key of runKeys("done")) {
      const ttl = await env.redis.ttl(key);
      expect(ttl, key).toBeGreaterThan(2 * 86_400 - 60);
      expect(ttl, key).toBeLessThanOrEqual(2 * 86_400);
    }
  });

  it("the thread's lookup and the checklist's closed runs expire too; summaries older than the retention go", async () => {
    const refs = createRedisMessageRefs(env.redis, env.prefix);
    const abort = (id: string, at: Date) =>
      store.update(id, update({ type: "abort", reason: "window missed", by: "U_ALICE" }, `${id}.ab`, at));
    await store.create(newRun({ id: "old" }));
    await abort("old", T0);
    await store.create(newRun({ id: "done" }));
    await refs.save("done", { channel: "C_OPS", ts: "2.0" });
    const later = new Date(T0.getTime() + 3 * 86_400_000);
    await abort("done", later);
    // A run whose message is remembered only after it closed: its keys take the run's time.
    await store.create(newRun({ id: "late" }));
    await abort("late", later);
    await refs.save("late", { channel: "C_OPS", ts: "3.0" });

    const checklistId = newRun().plan.id;
    const ttlOf = (key: string) => env.redis.ttl(`${env.prefix}${key}`);
    for (const key of ["thread:C_OPS:2.0", "thread:C_OPS:3.0", "run:late:message", `closed:${checklistId}`]) {
      const ttl = await ttlOf(key);
      expect(ttl, key).toBeGreaterThan(2 * 86_400 - 60);
      expect(ttl, key).toBeLessThanOrEqual(2 * 86_400);
    }
    expect(await refs.runOfThread("C_OPS", "2.0")).toBe("done");
    // "old" closed three days before "done", past the two days kept: its summary is gone.
    expect((await store.priorRuns(checklistId)).map((run) => run.closedAt).sort()).toEqual([
      later.toISOString(),
      later.toISOString(),
    ]);
  });
});
