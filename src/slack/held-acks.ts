import type { App } from "@slack/bolt";

/**
 * A message event becomes a note on a run (a reply in its thread, evidence), and Slack never sends
 * an event again once it was acknowledged. Bolt acknowledges events before any listener runs, so a
 * process killed in between lost a reply Slack had been told was received. The acknowledgement of
 * such an event is held here until the event is stored (`releaseAck` from its listener), or its
 * listeners are done, and at most until `deadlineMs` after it arrived (Slack waits 3 s). An event
 * that was not stored (its commit failed, or had not ended by then) is not acknowledged: answered
 * 503 over HTTP, left unacknowledged in Socket Mode; a process that dies first never answers.
 * Either way Slack delivers the event again, and its message ts makes a second delivery of one
 * that was stored after all a duplicate.
 */

/** How a held acknowledgement ends: the event was stored, or it was not (failed, or not in time). */
export type HeldOutcome = "stored" | "not_stored";

export interface HeldAcks {
  /**
   * Holds the acknowledgement named `key`; settles once released, or at `arrivedAt + deadlineMs`
   * as not stored: an event not known to be stored is never acknowledged, Slack sends it again.
   */
  hold(key: unknown, arrivedAt: number): Promise<HeldOutcome>;
  /** What `key`'s acknowledgement waits for, while it is held. */
  pending(key: unknown): Promise<HeldOutcome> | undefined;
  /** Lets `key`'s acknowledgement go (`stored` unless said otherwise); a key not held is ignored. */
  release(key: unknown, outcome?: HeldOutcome): void;
}

export function createHeldAcks(options: { deadlineMs: number; now?: () => number }): HeldAcks {
  const now = options.now ?? Date.now;
  const held = new Map<unknown, { promise: Promise<HeldOutcome>; free: (outcome: HeldOutcome) => void }>();
  const release = (key: unknown, outcome: HeldOutcome = "stored") => {
    const entry = held.get(key);
    if (!entry) return;
    held.delete(key);
    entry.free(outcome);
  };
  return {
    hold(key, arrivedAt) {
      const existing = held.get(key);
      if (existing) return existing.promise;
      let resolve: (outcome: HeldOutcome) => void = () => {};
      const promise = new Promise<HeldOutcome>((settle) => {
        resolve = settle;
      });
      const timer = setTimeout(
        () => release(key, "not_stored"),
        Math.max(0, arrivedAt + options.deadlineMs - now()),
      );
      timer.unref();
      held.set(key, {
        promise,
        free: (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        },
      });
      return promise;
    },
    pending: (key) => held.get(key)?.promise,
    release,
  };
}

/** The context property through which a listener lets its event's acknowledgement go. */
export const RELEASE_ACK = "releaseAck";

/** Lets the request's held acknowledgement go, if it has one (`context.releaseAck`). */
export function releaseAck(context: Record<string, unknown>, outcome: HeldOutcome = "stored"): void {
  const release = context[RELEASE_ACK];
  if (typeof release === "function") release(outcome);
}

/** Global middleware: whatever the listeners did, an event's acknowledgement goes once they are done. */
export function releaseAcksAfterListeners(app: App): void {
  app.use(async ({ context, next }) => {
    try {
      await next();
    } finally {
      releaseAck(context);
    }
  });
}

/**
 * A listener's work for an event it stores (a reply becoming a note): once it is done the
 * acknowledgement goes (stored, or refused: nothing to store); when it fails (storage down) the
 * event is not acknowledged, so Slack delivers it again.
 */
export async function storing<T>(context: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
  let done: T;
  try {
    done = await work();
  } catch (error) {
    releaseAck(context, "not_stored");
    throw error;
  }
  releaseAck(context);
  return done;
}
