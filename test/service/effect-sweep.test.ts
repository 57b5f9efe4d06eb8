import { describe, expect, it } from "vitest";
import type { Leases, Logger, RunPublisher } from "../../src/core/ports.js";
import { createEffectRunner } from "../../src/service/effect-runner.js";
import { createMemoryLeases, createMemoryRunStore } from "../../src/store/memory-run-store.js";
import { idleScheduler, newRun, T0 } from "../support/checklist-fixtures.js";

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

describe("the outbox sweep", () => {
  it("waits for a run this process is already working on instead of asking for one more pass", async () => {
    const store = createMemoryRunStore();
    const run = newRun();
    await store.create(run, [{ type: "publish_run_message" }]);
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const posted: string[] = [];
    const publisher: RunPublisher = {
      async publish(_run, effectId, ledger) {
        await gate;
        posted.push("run message");
        await ledger.mark(effectId, { status: "done", at: T0.toISOString(), ts: "1.0" });
      },
      postLines: async () => {},
      postSummary: async () => {},
      redraw: async () => "drawn",
      tellOwner: async () => {},
    };
    const memory = createMemoryLeases();
    let claims = 0;
    const leases: Leases = {
      ...memory,
      acquire: (name, ms) => {
        claims += 1;
        return memory.acquire(name, ms);
      },
    };
    const runner = createEffectRunner({
      store,
      leases,
      publisher,
      scheduler: idleScheduler,
      report: async () => undefined,
      log: quiet,
      now: () => T0,
      lineBatchMs: 0,
    });
    const first = runner.kick(run.id);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const sweeps = [runner.sweep(), runner.sweep(), runner.sweep()];
    open();
    await Promise.all([first, ...sweeps]);
    await runner.idle();
    expect(posted).toEqual(["run message"]);
    // One pass: the sweeps during it waited for it rather than each asking for another.
    expect(claims).toBe(1);
    expect(await store.runsWithOutbox()).toEqual([]);
  });
});
