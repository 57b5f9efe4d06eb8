import type { App } from "@slack/bolt";

/**
 * A message event becomes a note on a run (a reply in its thread, evidence), and Slack never sends
 * an event again once it was acknowledged. Bolt acknowledges events before any listener runs, so a
 * process killed in between lost a reply Slack had been told was received. The acknowledgement of
 * such an event is held here until the event is stored (`releaseAck` from its listener), or its
 * listeners are done, and at most until `deadlineMs` after it arrived (Slack waits 3 s): a process
 * that dies first never answers, and Slack delivers the event again; the event's id makes a second
 * delivery of a stored one a duplicate.
 */

export interface HeldAcks {
  /** Holds the acknowledgement named `key`; settles once released, or at `arrivedAt + deadlineMs`. */
  hold(key: unknown, arrivedAt: number): Promise<void>;
  /** What `key`'s acknowledgement waits for, while it is held. */
  pending(key: unknown): Promise<void> | undefined;
  /** Lets `key`'s acknowledgement go; a key not held is ignored. */
  release(key: unknown): void;
}

export function createHeldAcks(options: { deadlineMs: number; now?: () => number }): HeldAcks {
  const now = options.now ?? Date.now;
  const held = new Map<unknown, { promise: Promise<void>; free: () => void }>();
  const release = (key: unknown) => {
    const entry = held.get(key);
    if (!entry) return;
    held.delete(key);
    entry.free();
  };
  return {
    hold(key, arrivedAt) {
      const existing = held.get(key);
      if (existing) return existing.promise;
      let resolve: () => void = () => {};
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      const timer = setTimeout(() => release(key), Math.max(0, arrivedAt + options.deadlineMs - now()));
      timer.unref();
      held.set(key, {
        promise,
        free: () => {
          clearTimeout(timer);
          resolve();
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
export function releaseAck(context: Record<string, unknown>): void {
  const release = context[RELEASE_ACK];
  if (typeof release === "function") release();
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
