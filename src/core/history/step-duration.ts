import { type DurationRange, parseDurationRange } from "../duration.js";
import type { Run, StepState } from "../run/run-schema.js";
import { type LocatedStep, planSteps } from "../run/step-rules.js";
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

/**
 * Each step of the run with its plan, how long it took (done or awaiting verification, paused time
 * taken out) and the range its checklist expects: what the history entry and the comparison read.
 */
export function measuredSteps(
  run: Run,
  paused: readonly Interval[],
): { state: StepState; plan: LocatedStep["plan"]; index: number; ms?: number; range?: DurationRange }[] {
  const planned = planSteps(run);
  return run.steps.flatMap((state, index) => {
    const plan = planned[index]?.plan;
    if (!plan) return [];
    const ms =
      state.status === "done" || state.status === "awaiting_verification"
        ? stepDurationMs(state, paused)
        : undefined;
    const range = plan.duration ? parseDurationRange(plan.duration) : undefined;
    return [{ state, plan, index, ...(ms !== undefined ? { ms } : {}), ...(range ? { range } : {}) }];
  });
}
