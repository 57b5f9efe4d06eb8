import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { applyEvent } from "../../src/core/run/apply-event.js";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { createRedisRunStore } from "../../src/store/redis-run-store.js";
import { newRun, T0 } from "../support/checklist-fixtures.js";
import { isolatedRedis } from "../support/redis.js";

/**
 * "Could not save this" must be true: a commit that reaches Redis after its sender gave up (a hung
 * Redis runs queued commands when it wakes) is refused by the script and writes nothing. A budget
 * already spent stands for a commit that arrives late.
 */
let env: Awaited<ReturnType<typeof isolatedRedis>>;
beforeEach(async () => {
  env = await isolatedRedis();
});
afterEach(async () => env.cleanup());

const note: RunEvent = { type: "add_note", text: "replica lag is fine", source: "thread", by: "U_CAROL" };

describe("the commit deadline", () => {
  it("a late commit is refused as storage unavailable and changes nothing", async () => {
    const onTime = createRedisRunStore(env.redis, { prefix: env.prefix, commitDeadlineMs: 1_300 });
    const run = newRun();
    await onTime.create(run, []);
    const applied = await onTime.update(run.id, {
      eventId: "e1",
      by: note.by,
      type: note.type,
      at: T0,
      decide: (current) => applyEvent(current, note, T0),
    });
    expect(applied.status).toBe("applied");

    const late = createRedisRunStore(env.redis, { prefix: env.prefix, commitDeadlineMs: -5_000 });
    await expect(
      late.update(run.id, {
        eventId: "e2",
        by: note.by,
        type: note.type,
        at: T0,
        decide: (current) => applyEvent(current, note, T0),
      }),
    ).rejects.toMatchObject({ code: "storage_unavailable" });
    const stored = await onTime.getComplete(run.id);
    expect(stored?.version).toBe(run.version + 1);
    expect(stored?.notes).toHaveLength(1);
  });

  it("a late start creates no run", async () => {
    const late = createRedisRunStore(env.redis, { prefix: env.prefix, commitDeadlineMs: -5_000 });
    const run = newRun();
    await expect(late.create(run, [])).rejects.toMatchObject({ code: "storage_unavailable" });
    expect(await createRedisRunStore(env.redis, { prefix: env.prefix }).get(run.id)).toBeUndefined();
  });
});
