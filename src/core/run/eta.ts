import type { Step } from "../checklist/schema.js";
import { renderStepText } from "../checklist/template.js";
import { formatDuration, parseDuration, parseDurationRange } from "../duration.js";
import type { Run } from "./run-schema.js";
import { isFinished, planSteps } from "./step-rules.js";

/**
 * The run's window in figures: when it was planned to end, when it will end at this pace, how
 * long the downtime was planned and how long it has been. Pure arithmetic over the run and `now`.
 *
 * - planned end: the start plus the checklist's `announced_window`, else plus the sum of the
 *   expected maximums of the steps that apply to this run.
 * - projected end: now plus, for each step not finished, what remains of its expected maximum
 *   (a running step that is past its maximum adds nothing more, the run is late by that much).
 *   Steps that may run in parallel are counted one after the other: the projection errs late.
 * - Paused time shifts the planned end: a run waiting on purpose is not overrunning.
 */

/** A stretch of time the run was paused (`to` absent while it still is). */
export interface PausedInterval {
  from: string;
  to?: string;
}

/** The intervals the run spent paused (run.pauses, recovery-events.ts). */
export function pausedIntervals(run: Pick<Run, "pauses">): PausedInterval[] {
  return (run.pauses ?? []).map((pause) => ({
    from: pause.at,
    ...(pause.resumedAt ? { to: pause.resumedAt } : {}),
  }));
}

export function pausedMs(intervals: readonly PausedInterval[], now: Date): number {
  return intervals.reduce((sum, interval) => {
    const to = interval.to ? Date.parse(interval.to) : now.getTime();
    return sum + Math.max(0, to - Date.parse(interval.from));
  }, 0);
}

export interface WindowFigures {
  startedAt: string;
  plannedEndMs: number;
  projectedEndMs: number;
  /** Projected end past the planned end. */
  overrunning: boolean;
  plannedDowntimeMs?: number;
  /** Since the step marked `downtime: start` started; until the one marked `end` completed. */
  downtimeMs?: number;
}

const maxOf = (duration: string | undefined) => (duration ? (parseDurationRange(duration)?.maxMs ?? 0) : 0);

function applicableSteps(run: Run) {
  const plans = planSteps(run);
  return run.steps
    .map((state, index) => ({ state, plan: (plans[index] as (typeof plans)[number]).plan }))
    .filter(({ state }) => state.status !== "not_applicable");
}

export function windowFigures(run: Run, now: Date, paused = pausedIntervals(run)): WindowFigures {
  const start = Date.parse(run.createdAt);
  const steps = applicableSteps(run);
  const announced = run.plan.announced_window ? parseDuration(run.plan.announced_window) : undefined;
  const expected = steps.reduce((sum, { plan }) => sum + maxOf(plan.duration), 0);
  const plannedEndMs = start + (announced ?? expected) + pausedMs(paused, now);
  const end = run.closedAt ? Date.parse(run.closedAt) : undefined;
  const remaining = steps.reduce((sum, { plan, state }) => {
    if (isFinished(state.status)) return sum;
    const max = maxOf(plan.duration);
    if (state.startedAt === undefined || state.status === "pending" || state.status === "failed")
      return sum + max;
    return sum + Math.max(0, Date.parse(state.startedAt) + max - now.getTime());
  }, 0);
  const projectedEndMs = end ?? now.getTime() + remaining;
  return {
    startedAt: run.createdAt,
    plannedEndMs,
    projectedEndMs,
    overrunning: projectedEndMs > plannedEndMs,
    ...downtime(steps, end ?? now.getTime()),
  };
}

function downtime(
  steps: ReturnType<typeof applicableSteps>,
  untilMs: number,
): Pick<WindowFigures, "plannedDowntimeMs" | "downtimeMs"> {
  const startIndex = steps.findIndex(({ plan }) => plan.downtime === "start");
  if (startIndex < 0) return {};
  const endIndex = steps.findIndex(({ plan }, i) => i > startIndex && plan.downtime === "end");
  const window = steps.slice(startIndex, endIndex < 0 ? steps.length : endIndex + 1);
  const plannedDowntimeMs = window.reduce((sum, { plan }) => sum + maxOf(plan.duration), 0);
  const startedAt = steps[startIndex]?.state.startedAt ?? steps[startIndex]?.state.completedAt;
  if (startedAt === undefined) return { plannedDowntimeMs };
  const endedAt = endIndex < 0 ? undefined : steps[endIndex]?.state.completedAt;
  const downtimeMs = Math.max(0, (endedAt ? Date.parse(endedAt) : untilMs) - Date.parse(startedAt));
  return { plannedDowntimeMs, downtimeMs };
}

/** `14:05 UTC` (with the date when it is not the day of `now`). Plain text: read anywhere. */
export function readableClock(ms: number, now: Date): string {
  const iso = new Date(ms).toISOString();
  const sameDay = iso.slice(0, 10) === now.toISOString().slice(0, 10);
  return `${sameDay ? "" : `${iso.slice(0, 10)} `}${iso.slice(11, 16)} UTC`;
}

/** The live built-ins `{{run.eta}}`, `{{run.planned_end}}`, `{{run.downtime}}`, `{{run.planned_downtime}}`. */
export function liveValues(run: Run, now: Date): Record<string, string> {
  const figures = windowFigures(run, now);
  return {
    "run.eta": readableClock(figures.projectedEndMs, now),
    "run.planned_end": readableClock(figures.plannedEndMs, now),
    "run.downtime": figures.downtimeMs === undefined ? "no downtime yet" : formatDuration(figures.downtimeMs),
    "run.planned_downtime":
      figures.plannedDowntimeMs === undefined
        ? "no downtime planned"
        : formatDuration(figures.plannedDowntimeMs),
  };
}

/**
 * A step's text as the run message draws it at `now`: the live built-ins filled in, escaped as text
 * (they stay `{{run.eta}}` in the stored plan, which is written once at the start). The figures are
 * computed once per drawing, and only when a step names one.
 */
export function liveStepText(run: Run, now: Date): (step: Step) => Step {
  let values: Record<string, string> | undefined;
  return (step) => renderStepText(step, () => (values ??= liveValues(run, now)));
}
