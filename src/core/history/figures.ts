import type { EarlierRuns, HistoryEntry, HistoryStep } from "./history-schema.js";
import { spreadOf } from "./stats.js";

/**
 * Per-step figures across runs of the history: how many runs timed the step, its median, p90,
 * spread, how often it was skipped and how many problems it had. Skipped steps count in
 * `skipped`, not in the figures. Pure.
 */

export interface StepFigures {
  id: string;
  title: string;
  /** Runs in which the step was timed. */
  runs: number;
  /** Seconds; undefined when no run timed it. */
  min?: number;
  p10?: number;
  median?: number;
  p90?: number;
  max?: number;
  skipped: number;
  problems: number;
  /** The checklist's range as the newest run had it, in seconds. */
  expected?: { min: number; max: number };
  /** Every timed duration, oldest run first (seconds). */
  samples: number[];
}

/** Newest first by start, then by run id so equal starts keep one order. */
export function newestFirst(entries: readonly HistoryEntry[]): HistoryEntry[] {
  return [...entries].sort(
    (a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || b.runId.localeCompare(a.runId),
  );
}

/** Steps in the order of the newest run, then steps only older runs had. */
export function stepFigures(entries: readonly HistoryEntry[]): StepFigures[] {
  const newest = newestFirst(entries);
  const order: string[] = [];
  const byId = new Map<string, { title: string; steps: HistoryStep[] }>();
  for (const entry of newest) {
    for (const step of entry.steps) {
      const known = byId.get(step.id);
      if (known) known.steps.push(step);
      else {
        order.push(step.id);
        byId.set(step.id, { title: step.title, steps: [step] });
      }
    }
  }
  return order.map((id) => {
    const { title, steps } = byId.get(id) as { title: string; steps: HistoryStep[] };
    const samples = steps
      .filter((step) => !step.skipped && step.seconds !== undefined)
      .map((step) => step.seconds as number)
      .reverse();
    const spread = spreadOf(samples);
    const expected = steps[0]?.expected;
    const round = (value: number) => Math.round(value);
    return {
      id,
      title,
      runs: samples.length,
      ...(spread
        ? {
            min: spread.min,
            p10: round(spread.p10),
            median: round(spread.median),
            p90: round(spread.p90),
            max: spread.max,
          }
        : {}),
      skipped: steps.filter((step) => step.skipped).length,
      problems: steps.reduce((sum, step) => sum + step.problems, 0),
      ...(expected ? { expected } : {}),
      samples,
    };
  });
}

/** What a new run carries from the earlier ones: the spread of each step timed at least once. */
export function earlierRunsOf(entries: readonly HistoryEntry[]): EarlierRuns {
  const steps: EarlierRuns["steps"] = {};
  for (const figures of stepFigures(entries)) {
    if (figures.runs === 0) continue;
    steps[figures.id] = {
      runs: figures.runs,
      p10Seconds: figures.p10 as number,
      medianSeconds: figures.median as number,
      p90Seconds: figures.p90 as number,
    };
  }
  return { runs: entries.length, steps };
}

/** Below this many earlier timings of a step, the run message says nothing about "usually". */
export const USUAL_AFTER_RUNS = 3;

/** `usually 12–18 min (5 earlier runs)`; undefined with fewer than 3 earlier timings. */
export function usualText(earlier: EarlierRuns | undefined, stepId: string): string | undefined {
  const step = earlier?.steps[stepId];
  if (!step || step.runs < USUAL_AFTER_RUNS) return undefined;
  const runs = `(${step.runs} earlier runs)`;
  if (step.p90Seconds < 60) return `usually under a minute ${runs}`;
  const low = Math.max(1, Math.floor(step.p10Seconds / 60));
  const high = Math.max(1, Math.ceil(step.p90Seconds / 60));
  return low === high ? `usually ${low} min ${runs}` : `usually ${low}–${high} min ${runs}`;
}

/** A new run with what its earlier runs say about each step (nothing when there are none). */
export function withEarlierRuns<T extends { earlier?: EarlierRuns }>(
  run: T,
  entries: readonly HistoryEntry[],
): T {
  return entries.length === 0 ? run : { ...run, earlier: earlierRunsOf(entries) };
}
