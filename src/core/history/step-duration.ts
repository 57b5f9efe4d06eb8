import type { Run, StepState } from "../run/run-schema.js";
import type { Interval } from "./history-schema.js";

/** How long a step took, Start to Done, with the time its run was paused taken out. */

/** When the run was paused (run.pauses, recovery-events.ts); a pause still open lasts until `endMs`. */
export function pausedIntervals(run: Pick<Run, "pauses">, endMs: number): Interval[] {
  return (run.pauses ?? []).map((pause) => ({
    from: Date.parse(pause.at),
    to: pause.resumedAt ? Date.parse(pause.resumedAt) : endMs,
  }));
}

/**
 * How long a step took from Start to Done, less the time the run was paused meanwhile.
 * Undefined when it was not done (skipped, failed, still open) or done in one click without a start.
 */
export function stepDurationMs(
  state: Pick<StepState, "startedAt" | "completedAt">,
  paused: readonly Interval[] = [],
): number | undefined {
  if (state.startedAt === undefined || state.completedAt === undefined) return undefined;
  if (state.startedAt === state.completedAt) return undefined;
  const from = Date.parse(state.startedAt);
  const to = Date.parse(state.completedAt);
  if (!(to > from)) return undefined;
  const pausedMs = paused.reduce(
    (sum, interval) => sum + Math.max(0, Math.min(to, interval.to) - Math.max(from, interval.from)),
    0,
  );
  return Math.max(0, to - from - pausedMs);
}
