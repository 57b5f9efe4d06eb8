import { performance } from "node:perf_hooks";

/**
 * How hard this process is working for people right now: the share of the last quarter second
 * its event loop spent working, and whether a person's request came in that window. The ack path
 * refuses clicks on it (apply-with-ack.ts); background work (effects, redraws) yields on it.
 */

const WINDOW_MS = 250;
/** Background work waits while the loop is this busy and people are asking. */
export const BACKGROUND_YIELDS_AT = 0.9;

let sampled = { at: performance.now(), elu: performance.eventLoopUtilization() };
let utilization = 0;
let lastRequestAt = Number.NEGATIVE_INFINITY;

/** The share of the last window the event loop spent working (sampled when asked, at most every 250 ms). */
export function loopUtilization(): number {
  const at = performance.now();
  if (at - sampled.at >= WINDOW_MS) {
    const elu = performance.eventLoopUtilization();
    utilization = performance.eventLoopUtilization(elu, sampled.elu).utilization;
    sampled = { at, elu };
  }
  return utilization;
}

/** A person's request (a click, a command) is being answered. */
export function noteRequest(): void {
  lastRequestAt = performance.now();
}

/**
 * Whether background work should wait a little: people are asking and the loop is nearly full.
 * Waiting lets their acknowledgements go first, and the work that waited is done in one go.
 */
export function answeringPeople(): boolean {
  return performance.now() - lastRequestAt < WINDOW_MS && loopUtilization() >= BACKGROUND_YIELDS_AT;
}
