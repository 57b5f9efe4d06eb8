import { describe, expect, it } from "vitest";
import { PreflightError } from "../../src/core/errors.js";
import type { EffectLedger, Logger, RunPublisher, Scheduler, ThreadLine } from "../../src/core/ports.js";
import { applyEvent } from "../../src/core/run/apply-event.js";
import type { Run, RunEvent } from "../../src/core/run/run-schema.js";
import { createEffectRunner } from "../../src/service/effect-runner.js";
import { createMemoryLeases, createMemoryRunStore } from "../../src/store/memory-run-store.js";
import { newRun, T0 } from "../support/checklist-fixtures.js";

/**
 * The effect runner against the in-memory store: what is carried out, in which order, how often,
 * and what happens when Slack fails for a while or for good. No Redis, no HTTP: fast.
 */

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const ALICE = "U_ALICE";

/** A publisher that records what it was asked to post, and fails while told to. */
function fakePublisher() {
  const posted: string[] = [];
  const told: string[] = [];
  let failure: PreflightError | undefined;
  const fail = () => {
    if (failure) throw failure;
  };
  const publisher: RunPublisher = {
    async publish(_run, effectId, ledger) {
      fail();
      posted.push("run message");
      await ledger.mark(effectId, { status: "done", at: T0.toISOString(), ts: "1.0" });
    },
    async postLines(_run, lines: readonly ThreadLine[], ledger: EffectLedger) {
      fail();
      for (const line of lines) {
        if (ledger.get(line.effectId)?.status === "done") continue;
        posted.push(
          `${line.effect.type}${line.effect.type === "post_activity" ? `:${line.effect.activity.type}` : ""}`,
        );
        await ledger.mark(line.effectId, { status: "done", at: T0.toISOString() });
      }
    },
    async postSummary(_run, effectId, ledger) {
      fail();
      posted.push("summary");
      await ledger.mark(effectId, { status: "done", at: T0.toISOString() });
    },
    redraw: async () => "drawn",
    async tellOwner(_run, kind) {
      told.push(kind);
    },
  };
  return {
    publisher,
    posted,
    told,
    failWith: (error: PreflightError | undefined) => {
      failure = error;
    },
  };
}

function fakeScheduler() {
  const calls: string[] = [];
  const scheduler: Scheduler = {
    scheduleReminder: async (reminder) => void calls.push(`schedule ${reminder.reminderId}`),
    cancelReminders: async () => void calls.push("cancel reminders"),
    scheduleOverrunNudges: async (_runId, stepId) => void calls.push(`nudges ${stepId}`),
    cancelOverrunNudges: async (_runId, stepId) => void calls.push(`cancel nudges ${stepId}`),
  };
  return { scheduler, calls };
}

async function setUp(options: { inOrder?: boolean } = {}) {
  const store = createMemoryRunStore();
  const errors: string[] = [];
  const slack = fakePublisher();
  const timers = fakeScheduler();
  const reports: RunEvent[] = [];
  const run = newRun();
  await store.create(run, [{ type: "publish_run_message" }]);
  const runner = createEffectRunner({
    store,
    leases: createMemoryLeases(),
    publisher: slack.publisher,
    scheduler: timers.scheduler,
    report: async (runId, event, eventId) => {
      reports.push(event);
      const at = T0;
      return store.update(runId, {
        eventId,
        by: event.by,
        type: event.type,
        at,
        decide: (r) => applyEvent(r, event, at),
      });
    },
    log: { ...quiet, error: (message) => void errors.push(message) },
    now: () => T0,
    lineBatchMs: 0,
    retryMs: { first: 5, max: 20 },
    permanentRetryMs: 20,
    ...options,
  });
  /** Applies an event through the store (as the service does): its effects wait in the outbox. */
  const act = async (event: RunEvent, eventId: string) => {
    const at = T0;
    return store.update(run.id, {
      eventId,
      by: event.by,
      type: event.type,
      at,
      decide: (r: Run) => applyEvent(r, event, at),
    });
  };
  return { store, slack, timers, runner, run, act, reports, errors };
}

describe("the effect runner", () => {
  it("carries out each effect once, in order, and empties the outbox", async () => {
    const { store, slack, runner, run, act } = await setUp();
    await act({ type: "start_step", stepId: "announce", by: ALICE }, "e1");
    await act({ type: "complete_step", stepId: "announce", by: ALICE }, "e2");
    await runner.kick(run.id);
    await runner.kick(run.id);
    await runner.sweep();
    expect(slack.posted).toEqual(["run message", "post_activity:start_step", "post_activity:complete_step"]);
    expect(await store.runsWithOutbox()).toEqual([]);
  });

  it("Slack failing for a while holds back only Slack's lane: the work goes on, and the lines follow", async () => {
    const { store, slack, timers, runner, run, act } = await setUp();
    slack.failWith(
      new PreflightError("slack_transient", "service_unavailable", { platformCode: "service_unavailable" }),
    );
    await act({ type: "start_step", stepId: "announce", by: ALICE }, "e1");
    await act({ type: "abort", reason: "window moved", by: ALICE }, "e2");
    await runner.kick(run.id);
    expect(slack.posted).toEqual([]);
    expect(timers.calls).toContain("cancel reminders");
    expect(await store.runsWithOutbox()).toEqual([run.id]);

    slack.failWith(undefined);
    await expect.poll(async () => store.runsWithOutbox(), { timeout: 2_000 }).toEqual([]);
    expect(slack.posted).toEqual([
      "run message",
      "post_activity:start_step",
      "post_activity:abort",
      "summary",
    ]);
  });

  it("Slack refusing for good is recorded on the run once and told to the owner once, and the lines wait", async () => {
    const { store, slack, runner, run, act } = await setUp();
    await runner.kick(run.id);
    slack.failWith(
      new PreflightError("slack_permanent", "not_in_channel", { platformCode: "not_in_channel" }),
    );
    await act({ type: "start_step", stepId: "announce", by: ALICE }, "e1");
    await runner.kick(run.id);
    await runner.kick(run.id);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const stored = (await store.get(run.id)) as Run;
    expect(stored.postFailures.map((f) => f.error)).toEqual([
      "not_in_channel (kept, and posted once Slack accepts it)",
    ]);
    // Asked under one kind: the publisher tells the owner once per run and kind (claimOnce).
    expect(new Set(slack.told)).toEqual(new Set(["slack:not_in_channel"]));

    slack.failWith(undefined);
    await expect.poll(async () => store.runsWithOutbox(), { timeout: 2_000 }).toEqual([]);
    expect(slack.posted.filter((p) => p === "post_activity:start_step")).toHaveLength(1);
  });

  it("a run message that can't be posted at all closes the run: nobody could watch it", async () => {
    const { store, slack, runner, run } = await setUp();
    slack.failWith(
      new PreflightError("slack_permanent", "channel_not_found", { platformCode: "channel_not_found" }),
    );
    await runner.kick(run.id);
    const stored = (await store.get(run.id)) as Run;
    expect(stored.status).toBe("aborted");
    expect(stored.abortReason).toBe("The run message could not be posted (channel_not_found).");
    expect(slack.told).toEqual(["publish:channel_not_found"]);
  });

  it("one process at a time: a run whose lease another holds is left to it", async () => {
    const store = createMemoryRunStore();
    const leases = createMemoryLeases();
    const slack = fakePublisher();
    const run = newRun();
    await store.create(run, [{ type: "publish_run_message" }]);
    const held = await leases.acquire(`effects:${run.id}`, 60_000);
    expect(held).toBeDefined();
    const runner = createEffectRunner({
      store,
      leases,
      publisher: slack.publisher,
      scheduler: fakeScheduler().scheduler,
      report: async () => undefined,
      log: quiet,
      now: () => T0,
      lineBatchMs: 0,
    });
    await runner.kick(run.id);
    expect(slack.posted).toEqual([]);
    await leases.release(`effects:${run.id}`, held as string);
    await runner.kick(run.id);
    expect(slack.posted).toEqual(["run message"]);
  });

  it("storage failing mid-way loses nothing: what was not marked done is carried out by the next pass", async () => {
    const { store, slack, runner, run, act } = await setUp();
    await act({ type: "start_step", stepId: "announce", by: ALICE }, "e1");
    store.failNext("clearOutboxEntry", 1);
    await runner.kick(run.id);
    expect(await store.runsWithOutbox()).toEqual([run.id]);
    await runner.sweep();
    await expect.poll(async () => store.runsWithOutbox(), { timeout: 2_000 }).toEqual([]);
    expect(slack.posted).toEqual(["run message", "post_activity:start_step"]);
  });
});

describe("a pass's last writes, sent together with its release (`inOrder`)", () => {
  it('a "done" mark that fails is reported, nothing is posted twice, and the run is free again', async () => {
    const { store, slack, runner, run, act, errors } = await setUp({ inOrder: true });
    await runner.kick(run.id);
    await act({ type: "start_step", stepId: "announce", by: ALICE }, "e1");
    store.failNext("markEffect", 1);
    await runner.kick(run.id);
    expect(slack.posted).toEqual(["run message", "post_activity:start_step"]);
    expect(errors).toEqual(["carrying out a run's effects failed; they stay in its outbox"]);
    // The retry the failure set off, a sweep and a kick find nothing left to post.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runner.sweep();
    await runner.kick(run.id);
    expect(slack.posted).toEqual(["run message", "post_activity:start_step"]);
    // The lease was released with the failed write: the next change goes out at once.
    await act({ type: "complete_step", stepId: "announce", by: ALICE }, "e2");
    await runner.kick(run.id);
    expect(slack.posted).toEqual(["run message", "post_activity:start_step", "post_activity:complete_step"]);
    expect(await store.runsWithOutbox()).toEqual([]);
  });

  it('a "done" mark that fails while the pass goes on is never an unhandled rejection', async () => {
    const store = createMemoryRunStore();
    const run = newRun();
    await store.create(run, [{ type: "publish_run_message" }]);
    // Redis answers the mark with an error later, while the publisher still has work to do.
    const slow: typeof store = {
      ...store,
      markEffect: (runId, effectId, record) =>
        record.status === "done"
          ? new Promise((_, reject) => setTimeout(() => reject(new Error("connection lost")), 10))
          : store.markEffect(runId, effectId, record),
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const errors: string[] = [];
    const posted: string[] = [];
    const runner = createEffectRunner({
      store: slow,
      leases: createMemoryLeases(),
      publisher: {
        ...fakePublisher().publisher,
        async publish(_run, effectId, ledger) {
          posted.push("run message");
          await ledger.mark(effectId, { status: "done", at: T0.toISOString(), ts: "1.0" });
          // What it does after the mark (the step list, a link) outlasts the mark's answer.
          await new Promise((resolve) => setTimeout(resolve, 50));
        },
      },
      scheduler: fakeScheduler().scheduler,
      report: async () => undefined,
      log: { ...quiet, error: (message) => void errors.push(message) },
      now: () => T0,
      lineBatchMs: 0,
      retryMs: { first: 1_000, max: 1_000 },
      inOrder: true,
    });
    try {
      await runner.kick(run.id);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      expect(errors).toEqual(["carrying out a run's effects failed; they stay in its outbox"]);
      expect(posted).toEqual(["run message"]);
    } finally {
      runner.stop();
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("carry out the same effects as a pass that waits for each write", async () => {
    const outcomes: string[][] = [];
    for (const inOrder of [true, false]) {
      const { store, slack, runner, run, act } = await setUp({ inOrder });
      await act({ type: "start_step", stepId: "announce", by: ALICE }, "e1");
      await act({ type: "complete_step", stepId: "announce", by: ALICE }, "e2");
      await runner.kick(run.id);
      expect(await store.runsWithOutbox()).toEqual([]);
      outcomes.push(slack.posted);
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
  });
});

describe("a try an earlier process made", () => {
  it("is looked for only once the call can no longer be landing, then carried out once", async () => {
    const store = createMemoryRunStore();
    const slack = fakePublisher();
    const run = newRun();
    await store.create(run, [{ type: "publish_run_message" }]);
    const effectId = (await store.outbox(run.id))[0]?.effects[0]?.id ?? "";
    // The earlier process marked the run message tried, then died before Slack answered.
    await store.markEffect(run.id, effectId, { status: "tried", at: new Date().toISOString() });
    const runner = createEffectRunner({
      store,
      leases: createMemoryLeases(),
      publisher: slack.publisher,
      scheduler: fakeScheduler().scheduler,
      report: async () => undefined,
      log: quiet,
      now: () => new Date(),
      lineBatchMs: 0,
      retryMs: { first: 5, max: 20 },
      inFlightMs: 400,
    });
    await runner.kick(run.id);
    expect(slack.posted).toEqual([]);
    await expect.poll(() => slack.posted, { timeout: 5_000 }).toEqual(["run message"]);
    await runner.idle();
    expect(slack.posted).toEqual(["run message"]);
    expect(await store.outbox(run.id)).toEqual([]);
    runner.stop();
  });
});
