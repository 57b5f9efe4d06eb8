/**
 * The one clock the bot reads. Production uses the system clock; the sandbox moves an offset
 * clock forward so reminders, nudges and windows can be rehearsed without waiting.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that runs with the system clock, shifted by an offset that only ever grows. */
export interface OffsetClock extends Clock {
  /** Moves the clock forward; returns the new time. */
  advance(ms: number): Date;
  offsetMs(): number;
}

export function createOffsetClock(base: Clock = systemClock): OffsetClock {
  let offset = 0;
  return {
    now: () => new Date(base.now().getTime() + offset),
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0)
        throw new RangeError(`the clock only moves forward, not by ${ms} ms`);
      offset += ms;
      return new Date(base.now().getTime() + offset);
    },
    offsetMs: () => offset,
  };
}
