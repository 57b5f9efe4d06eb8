import { parseDurationRange } from "../duration.js";
import type { Effect } from "./effects.js";
import type { Pause, Run } from "./run-schema.js";
import { findStep } from "./step-rules.js";

/**
 * Paused time never counts as overrun: a step's time is measured without the pauses that overlap
 * it, and its overrun nudges are moved on by the length of a pause when the run resumes.
 */

/** The pause the run is in, if it is paused: the last one, not resumed yet. */
export function openPause(run: Pick<Run, "pauses">): Pause | undefined {
  const last = run.pauses?.at(-1);
  return last && last.resumedAt === undefined ? last : undefined;
}

/** How much of [fromMs, toMs] the run spent paused (an open pause lasts until toMs). */
export function pausedMsBetween(run: Pick<Run, "pauses">, fromMs: number, toMs: number): number {
  let total = 0;
  for (const pause of run.pauses ?? []) {
    const start = Math.max(fromMs, Date.parse(pause.at));
    const end = Math.min(toMs, pause.resumedAt ? Date.parse(pause.resumedAt) : toMs);
    if (end > start) total += end - start;
  }
  return total;
}

/** Nudges of the running timed steps: cancelled when the run pauses. */
export function nudgesOnPause(run: Run): Effect[] {
  return run.steps
    .filter((step) => step.status === "running" && findStep(run, step.id)?.plan.duration)
    .map((step) => ({ type: "cancel_overrun_nudges", stepId: step.id }));
}

/**
 * On resume, each running timed step's nudges come back at start + (1 and 2) × its maximum plus
 * every pause since it started; only those still ahead are scheduled. `run` has the pause closed.
 */
export function nudgesOnResume(run: Run, now: Date): Effect[] {
  const effects: Effect[] = [];
  for (const step of run.steps) {
    const plan = findStep(run, step.id)?.plan;
    const range = plan?.duration ? parseDurationRange(plan.duration) : undefined;
    if (step.status !== "running" || !range || range.maxMs <= 0 || !step.startedAt) continue;
    const start = Date.parse(step.startedAt);
    const paused = pausedMsBetween(run, start, now.getTime());
    const at = [1, 2]
      .map((times) => start + paused + times * range.maxMs)
      .filter((ms) => ms > now.getTime())
      .map((ms) => new Date(ms).toISOString());
    if (at.length > 0) effects.push({ type: "schedule_overrun_nudges", stepId: step.id, at });
  }
  return effects;
}
