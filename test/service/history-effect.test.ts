import { describe, expect, it } from "vitest";
import type { RunPublisher } from "../../src/core/ports.js";
import { applyEvent } from "../../src/core/run/apply-event.js";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { createEffectRunner } from "../../src/service/effect-runner.js";
import { createMemoryHistory } from "../../src/store/memory-history.js";
import { createMemoryLeases, createMemoryRunStore } from "../../src/store/memory-run-store.js";
import { idleScheduler, minutesAfter, newRun, T0 } from "../support/checklist-fixtures.js";

/** The history is written from the run's outbox: once per run, however often the outbox is worked. */

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const ALICE = "U_ALICE";
const publisher: RunPublisher = {
  publish: async (_run, id, ledger) => ledger.mark(id, { status: "done", at: T0.toISOString() }),
  postLines: async (_run, lines, ledger) => {
    for (const line of lines) await ledger.mark(line.effectId, { status: "done", at: T0.toISOString() });
  },
  postSummary: async (_run, id, ledger) => ledger.mark(id, { status: "done", at: T0.toISOString() }),
  redraw: async () => "drawn",
  tellOwner: async () => {},
};

describe("recording a closed run's history", () => {
  it("is an outbox effect carried out once; a later follow-up replaces the entry, never adds one", async () => {
    const store = createMemoryRunStore();
    const history = createMemoryHistory();
    const run = newRun();
    await store.create(run, [{ type: "publish_run_message" }]);
    const runner = createEffectRunner({
      store,
      leases: createMemoryLeases(),
      publisher,
      scheduler: idleScheduler,
      history,
      report: async () => undefined,
      log: quiet,
      now: () => T0,
      lineBatchMs: 0,
    });
    let minute = 0;
    const act = (event: RunEvent, eventId: string) => {
      const at = minutesAfter(T0, ++minute);
      return store.update(run.id, {
        eventId,
        by: event.by,
        type: event.type,
        at,
        decide: (r) => applyEvent(r, event, at),
      });
    };
    await act({ type: "start_step", stepId: "announce", by: ALICE }, "e1");
    await act({ type: "complete_step", stepId: "announce", by: ALICE }, "e2");
    await act({ type: "abort", reason: "window moved", by: ALICE }, "e3");
    await Promise.all([runner.kick(run.id), runner.kick(run.id)]);
    await runner.sweep();
    expect(await history.entries("rules-demo")).toEqual([
      expect.objectContaining({ runId: run.id, outcome: "aborted", changeRequests: [] }),
    ]);
    await act(
      { type: "follow_up_added", text: "Change in the checklist: announce earlier", by: ALICE },
      "e4",
    );
    await runner.kick(run.id);
    const entries = await history.entries("rules-demo");
    expect(entries).toHaveLength(1);
    expect(entries[0]?.changeRequests.map((c) => [c.stepId, c.text])).toEqual([
      ["announce", "announce earlier"],
    ]);
    expect(await store.runsWithOutbox()).toEqual([]);
    runner.stop();
  });
});
