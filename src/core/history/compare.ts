import type { Run } from "../run/run-schema.js";
import { planSteps } from "../run/step-rules.js";
import { stepFigures, USUAL_AFTER_RUNS } from "./figures.js";
import type { HistoryEntry } from "./history-schema.js";
import { measuredSteps, pausedIntervals } from "./step-duration.js";
import { type Suggestions, suggestChanges } from "./suggestions.js";

/**
 * A run against the runs before it (same checklist and environment): every step's duration beside
 * the earlier median and p90 and the checklist's range, and the steps outside both (slower than
 * the range allows and than 9 runs in 10 before it). Also what the checklist could learn from the
 * whole history. Pure.
 */

export interface StepComparison {
  id: string;
  number: number;
  title: string;
  /** This run, Start to Done, paused time excluded; undefined when not timed. */
  seconds?: number;
  expected?: { min: number; max: number };
  /** Earlier runs that timed the step. */
  earlierRuns: number;
  medianSeconds?: number;
  p90Seconds?: number;
  outsideRange: boolean;
  /** Slower than the earlier p90 (judged with at least 3 earlier timings). */
  outsideEarlier: boolean;
}

export interface HistoryComparison {
  /** Earlier runs of the checklist in the run's environment. */
  earlierRuns: number;
  steps: StepComparison[];
  learn: Suggestions;
}

/** `history`: the kept runs of the checklist and environment, this run's own entry included when it counts. */
export function compareWithHistory(run: Run, history: readonly HistoryEntry[]): HistoryComparison {
  const startedMs = Date.parse(run.createdAt);
  const earlier = history.filter(
    (entry) => entry.runId !== run.id && Date.parse(entry.startedAt) < startedMs,
  );
  const figures = new Map(stepFigures(earlier).map((figure) => [figure.id, figure]));
  const endMs = run.closedAt ? Date.parse(run.closedAt) : startedMs;
  const paused = pausedIntervals(run, endMs);
  const planned = planSteps(run);
  const steps = measuredSteps(run, paused).map(({ state, plan, index, ms, range }): StepComparison => {
    const seconds = ms === undefined ? undefined : Math.round(ms / 1000);
    const expected = range ? { min: range.minMs / 1000, max: range.maxMs / 1000 } : undefined;
    const figure = figures.get(state.id);
    const earlierRuns = figure?.runs ?? 0;
    return {
      id: state.id,
      number: index + 1,
      title: plan.title,
      ...(seconds !== undefined ? { seconds } : {}),
      ...(expected ? { expected } : {}),
      earlierRuns,
      ...(figure?.median !== undefined ? { medianSeconds: figure.median } : {}),
      ...(figure?.p90 !== undefined ? { p90Seconds: figure.p90 } : {}),
      outsideRange:
        seconds !== undefined && expected !== undefined && (seconds < expected.min || seconds > expected.max),
      outsideEarlier:
        seconds !== undefined &&
        earlierRuns >= USUAL_AFTER_RUNS &&
        figure?.p90 !== undefined &&
        seconds > figure.p90,
    };
  });
  const checklistSteps = planned.map(({ plan }) => ({
    id: plan.id,
    title: plan.title,
    ...(plan.duration ? { duration: plan.duration } : {}),
  }));
  const counted = history.filter(
    (entry) => Date.parse(entry.startedAt) <= startedMs || entry.runId === run.id,
  );
  return { earlierRuns: earlier.length, steps, learn: suggestChanges(checklistSteps, counted) };
}
