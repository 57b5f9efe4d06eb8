import { asPreflightError, incidentId, PreflightError } from "../core/errors.js";
import type { EffectLedger, EffectRecord, OutboxEntry, StoredEffect, ThreadLine } from "../core/ports.js";
import type { Run } from "../core/run/run-schema.js";
import { createLru } from "../store/lru.js";
import { carryOut } from "./carry-out.js";
import {
  isDone,
  LANES,
  type Lane,
  LINE_EFFECTS,
  laneOf,
  settlingWait,
  triesElsewhere,
} from "./effect-lanes.js";
import { refusedForGood } from "./effect-refusals.js";
import type { EffectRunnerDeps } from "./effect-runner-deps.js";
import { createKeyedPasses } from "./keyed-passes.js";

/**
 * Carries out the effects stored in runs' outboxes, exactly once and in order per run.
 *
 * - One process at a time works on a run (a lease that expires, so a killed process's runs are
 *   picked up by the next sweep within seconds). Lanes: effect-lanes.ts.
 * - Each effect has an id; what is done is remembered under it, and an adapter told that an
 *   effect was tried before looks for its result (a Slack post whose answer was lost) first.
 * - Transient failures (429, 5xx, Redis) wait and try again, honouring Retry-After; permanent
 *   ones are recorded on the run once and told to the run's owner once, and Slack's lane keeps
 *   trying slowly, so the thread and the message catch up once someone fixes the cause.
 */

export type EffectRunner = ReturnType<typeof createEffectRunner>;

export function createEffectRunner(deps: EffectRunnerDeps) {
  const leaseMs = deps.leaseMs ?? 5_000;
  const lineBatchMs = deps.lineBatchMs ?? 500;
  const retry = deps.retryMs ?? { first: 1_000, max: 60_000 };
  const permanentRetryMs = deps.permanentRetryMs ?? 30_000;
  const inFlightMs = deps.inFlightMs ?? 10_000;
  /** Effects this process tried (its own tries have been answered or timed out: nothing in flight). */
  const triedHere = createLru<string, true>(10_000);
  const { store, leases, publisher, log } = deps;

  /** In this process, one pass per run at a time; a kick during a pass asks for another. */
  const passes = createKeyedPasses((runId) => passOnce(runId), { busy: deps.busy });
  /** Per run and lane: not before this time (ms), and how many failures in a row. */
  const backoff = new Map<string, { until: number; failures: number }>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  /** Kicks per run since this process started (bounded): whether new effects may have come. */
  const kicks = createLru<string, number>(10_000);

  function kick(runId: string): Promise<void> {
    if (stopped) return Promise.resolve();
    kicks.set(runId, (kicks.get(runId) ?? 0) + 1);
    return passes.request(runId);
  }

  /** Runs with effects waiting (left by a crash, a failure or another process): a pass for each not in one. */
  async function sweep(): Promise<void> {
    const runIds = await store.runsWithOutbox();
    await Promise.all(runIds.map((runId) => (stopped ? undefined : passes.ensure(runId))));
  }

  async function passOnce(runId: string): Promise<void> {
    let token: string | undefined;
    const claim = leases.acquire(`effects:${runId}`, leaseMs);
    // Sent after the claim on the same connection: read once the lease is held (see `inOrder`).
    const read = deps.inOrder ? settled(pending(runId)) : undefined;
    try {
      token = await claim;
    } catch (error) {
      log.warn("could not claim a run's effects; the next sweep tries again", {
        runId,
        error: asPreflightError(error).message,
      });
      return;
    }
    // Another process is carrying them out; the sweep looks again if it dies.
    if (!token) return;
    const held = token;
    const renewal = setInterval(() => {
      void leases.renew(`effects:${runId}`, held, leaseMs).catch(() => undefined);
    }, leaseMs / 3);
    /** Writes sent but not yet waited for (`inOrder`), each kept with its outcome: answered with the release. */
    const unsettled: Settled<unknown>[] = [];
    try {
      const first = await read;
      await drain(runId, first && "value" in first ? first.value : undefined, unsettled);
    } catch (error) {
      failedPass(runId, error);
    } finally {
      clearInterval(renewal);
      const release = leases.release(`effects:${runId}`, held).catch(() => undefined);
      const failed = firstError(await Promise.all(unsettled));
      await release;
      if (failed) failedPass(runId, failed.error);
    }
  }

  function failedPass(runId: string, error: unknown) {
    const failure = asPreflightError(error);
    log.error("carrying out a run's effects failed; they stay in its outbox", {
      runId,
      code: failure.code,
      error: failure.message,
      ...(failure.code === "bug" ? { incident: incidentId(deps.now()) } : {}),
    });
    for (const lane of LANES) later(runId, lane, failure);
  }

  async function drain(runId: string, firstRead: Pending | undefined, unsettled: Settled<unknown>[]) {
    /**
     * A write whose answer can wait for the pass's end when commands keep their order. Its failure
     * is kept at once (never an unhandled rejection while the pass goes on) and reported then.
     */
    const send = async (write: Promise<void>) => {
      if (deps.inOrder) unsettled.push(settled(write));
      else await write;
    };
    for (let round = 0; round < 100 && !stopped; round++) {
      // Another round reads what this one wrote: its writes are answered first.
      if (round > 0) {
        const failed = firstError(await Promise.all(unsettled.splice(0)));
        if (failed) throw failed.error;
      }
      let seen = kicks.get(runId);
      let { entries, records } = round === 0 && firstRead ? firstRead : await pending(runId);
      if (entries.length === 0) return;
      const first = entries.flatMap((entry) => entry.effects).find((e) => !isDone(e, records));
      // Lines close together go out as one message: give the next ones a moment to arrive (read
      // again only if this process committed something meanwhile; others' come in the next pass).
      if (lineBatchMs > 0 && first && LINE_EFFECTS.has(first.effect.type)) {
        await sleep(lineBatchMs);
        if (kicks.get(runId) !== seen) {
          seen = kicks.get(runId);
          ({ entries, records } = await pending(runId));
        }
      }
      // The run as of the newest entry at least: the view this process committed, when it has it.
      const newest = Math.max(...entries.map((entry) => entry.seq));
      const run = await (store.recent ? store.recent(runId, newest) : store.get(runId));
      if (!run) {
        for (const entry of entries) await store.clearOutboxEntry(runId, entry.id);
        return;
      }
      const ledger: EffectLedger = {
        get: (id) => records[id],
        mark: async (id, record) => {
          if (record.status === "tried") triedHere.set(id, true);
          records[id] = record;
          // "tried" must be stored before the call it announces; "done" only before the release.
          if (record.status === "tried") await store.markEffect(runId, id, record);
          else await send(store.markEffect(runId, id, record));
        },
      };
      const tries = triesElsewhere(records, (id) => triedHere.get(id) === true);
      // Nothing tried elsewhere (the usual case): nothing to wait for, nothing to work out per effect.
      const settling =
        tries.length === 0
          ? undefined
          : (ids: string[]) => settlingWait(tries, ids, deps.now().getTime(), inFlightMs);
      const progressed = await runLanes(run, entries, ledger, settling);
      let unfinished = false;
      for (const entry of entries) {
        if (entry.effects.every((e) => isDone(e, records)))
          await send(store.clearOutboxEntry(runId, entry.id));
        else unfinished = true;
      }
      if (!progressed) return;
      // All carried out, and nothing committed here since the read: no need to read again (an
      // entry another process added meanwhile comes in its own pass, or the sweep's).
      if (!unfinished && kicks.get(runId) === seen) return;
    }
  }

  /** The outbox and what is known of its effects (one round trip where the store can). */
  async function pending(runId: string): Promise<Pending> {
    if (store.pending) return store.pending(runId);
    const entries = await store.outbox(runId);
    return { entries, records: entries.length > 0 ? await store.effectRecords(runId) : {} };
  }

  /** Returns whether anything was carried out (so another round may find more). */
  async function runLanes(
    run: Run,
    entries: OutboxEntry[],
    ledger: EffectLedger,
    settling: ((effectIds: string[]) => number) | undefined,
  ): Promise<boolean> {
    const pending = entries
      .flatMap((entry) => entry.effects)
      .filter((e) => ledger.get(e.id)?.status !== "done");
    if (pending.length === 0) return true;
    const ofLane = (lane: Lane) => pending.filter((e) => laneOf(e.effect) === lane);
    const progressed = await Promise.all(
      LANES.map((lane) => runLane(run, lane, ofLane(lane), ledger, settling)),
    );
    return progressed.some(Boolean);
  }

  async function runLane(
    run: Run,
    lane: Lane,
    effects: StoredEffect[],
    ledger: EffectLedger,
    settling: ((effectIds: string[]) => number) | undefined,
  ) {
    if (effects.length === 0) return false;
    const key = `${run.id}|${lane}`;
    const wait = backoff.get(key);
    if (wait && wait.until > Date.now()) return false;
    let progressed = false;
    let index = 0;
    while (index < effects.length) {
      const current = effects[index] as StoredEffect;
      const lines = LINE_EFFECTS.has(current.effect.type);
      const ids = () =>
        lines ? effects.slice(index).filter((e) => LINE_EFFECTS.has(e.effect.type)) : [current];
      const wait = settling ? settling(ids().map((e) => e.id)) : 0;
      if (wait > 0) {
        log.info("an effect tried by an earlier process may still be landing; looked for once it has", {
          runId: run.id,
          effectId: current.id,
          waitMs: wait,
        });
        later(
          run.id,
          lane,
          new PreflightError("slack_transient", "an earlier try may still be landing", {
            retryAfterMs: wait,
          }),
        );
        return progressed;
      }
      try {
        if (LINE_EFFECTS.has(current.effect.type)) {
          // Consecutive lines are posted together, in order.
          const lines: ThreadLine[] = [];
          while (index < effects.length && LINE_EFFECTS.has((effects[index] as StoredEffect).effect.type)) {
            const line = effects[index] as StoredEffect;
            lines.push({ effectId: line.id, effect: line.effect });
            index += 1;
          }
          await publisher.postLines(run, lines, ledger);
        } else {
          await carryOut(deps, run, current, ledger);
          index += 1;
        }
        progressed = true;
        backoff.delete(key);
      } catch (error) {
        await failed(run, lane, current, asPreflightError(error), ledger);
        return progressed;
      }
    }
    return progressed;
  }

  async function failed(
    run: Run,
    lane: Lane,
    stored: StoredEffect,
    error: PreflightError,
    ledger: EffectLedger,
  ) {
    log.warn("an effect could not be carried out yet", {
      runId: run.id,
      effect: stored.effect.type,
      effectId: stored.id,
      code: error.code,
      error: error.platformCode ?? error.message,
    });
    if (error.code === "slack_permanent" && (await refusedForGood(deps, run, stored, error, ledger))) return;
    later(run.id, lane, error);
  }

  /** Tries the lane again later: Retry-After when given, else growing delays. */
  function later(runId: string, lane: Lane, error: PreflightError) {
    const key = `${runId}|${lane}`;
    const failures = (backoff.get(key)?.failures ?? 0) + 1;
    const delay =
      error.code === "slack_permanent"
        ? permanentRetryMs
        : (error.retryAfterMs ?? Math.min(retry.max, retry.first * 2 ** (failures - 1)));
    backoff.set(key, { until: Date.now() + delay, failures });
    const timer = setTimeout(() => {
      timers.delete(timer);
      void kick(runId);
    }, delay + 5);
    timer.unref?.();
    timers.add(timer);
  }

  const idle = passes.idle;

  function stop(): void {
    stopped = true;
    passes.stop();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  }

  return { kick, sweep, idle, stop };
}

type Pending = { entries: OutboxEntry[]; records: Record<string, EffectRecord> };

type Outcome<T> = { value: T } | { error: unknown };
type Settled<T> = Promise<Outcome<T>>;

/** A promise that never rejects (its failure is kept), so it may wait unobserved. */
function settled<T>(promise: Promise<T>): Settled<T> {
  return promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
}

function firstError(outcomes: readonly Outcome<unknown>[]) {
  return outcomes.find((outcome): outcome is { error: unknown } => "error" in outcome);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
