import { parseDurationRange } from "../duration.js";
import { newestFirst, stepFigures } from "./figures.js";
import type { HistoryEntry } from "./history-schema.js";
import { quantile } from "./stats.js";

/**
 * What a checklist could learn from its runs (`preflight suggest`, and the post-mortem's last
 * section). Pure: the checklist's steps and the history in, the suggestions out.
 * - a step whose timed durations fall outside its `duration:` range in most of at least 5 runs
 *   gets the range its runs show: p10 rounded down to p90 rounded up, whole minutes, at least 1m;
 * - a step skipped in each of the last 3 runs or more: remove it or make it conditional?
 * - a follow-up that asked to change the checklist: a comment on the step it was about.
 * With fewer than 5 runs nothing is suggested.
 */

export const MIN_RUNS_FOR_SUGGESTIONS = 5;
export const SKIPPED_IN_A_ROW = 3;

export interface ChecklistStep {
  id: string;
  title: string;
  duration?: string;
}

export type Suggestion =
  | {
      kind: "range";
      stepId: string;
      title: string;
      current: string;
      proposed: string;
      /** Timed runs outside the current range, of `runs`. */
      outside: number;
      runs: number;
    }
  | { kind: "skipped"; stepId: string; title: string; runs: number }
  | {
      kind: "follow_up";
      /** Absent when the follow-up names no step of the checklist. */
      stepId?: string;
      title?: string;
      text: string;
      by: string;
      at: string;
      runId: string;
    };

export interface Suggestions {
  /** Runs in the history. */
  runs: number;
  /** At least MIN_RUNS_FOR_SUGGESTIONS runs: only then is anything suggested. */
  enough: boolean;
  suggestions: Suggestion[];
}

export function suggestChanges(
  steps: readonly ChecklistStep[],
  entries: readonly HistoryEntry[],
): Suggestions {
  const runs = entries.length;
  if (runs < MIN_RUNS_FOR_SUGGESTIONS) return { runs, enough: false, suggestions: [] };
  const newest = newestFirst(entries);
  const figures = new Map(stepFigures(entries).map((figure) => [figure.id, figure]));
  const suggestions: Suggestion[] = [];
  for (const step of steps) {
    const samples = figures.get(step.id)?.samples ?? [];
    const range = step.duration ? parseDurationRange(step.duration) : undefined;
    if (step.duration && range && samples.length >= MIN_RUNS_FOR_SUGGESTIONS) {
      const outside = samples.filter((s) => s * 1000 < range.minMs || s * 1000 > range.maxMs).length;
      const proposed = proposedRange(samples);
      if (outside * 2 > samples.length && proposed !== step.duration)
        suggestions.push({
          kind: "range",
          stepId: step.id,
          title: step.title,
          current: step.duration,
          proposed,
          outside,
          runs: samples.length,
        });
    }
    const inARow = skippedInARow(newest, step.id);
    if (inARow >= SKIPPED_IN_A_ROW)
      suggestions.push({ kind: "skipped", stepId: step.id, title: step.title, runs: inARow });
  }
  const known = new Map(steps.map((step) => [step.id, step]));
  const seen = new Set<string>();
  for (const entry of [...newest].reverse()) {
    for (const request of entry.changeRequests) {
      const step = request.stepId ? known.get(request.stepId) : undefined;
      const key = `${step?.id ?? ""}\n${request.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      suggestions.push({
        kind: "follow_up",
        ...(step ? { stepId: step.id, title: step.title } : {}),
        text: request.text,
        by: request.by,
        at: request.at,
        runId: entry.runId,
      });
    }
  }
  return { runs, enough: true, suggestions };
}

/** p10 rounded down to p90 rounded up, in whole minutes, at least `1m`; one value when they meet. */
export function proposedRange(samplesSeconds: readonly number[]): string {
  const p10 = quantile(samplesSeconds, 0.1) ?? 0;
  const p90 = quantile(samplesSeconds, 0.9) ?? 0;
  const low = Math.max(1, Math.floor(p10 / 60));
  const high = Math.max(1, Math.ceil(p90 / 60));
  return low >= high ? `${high}m` : `${low}m-${high}m`;
}

/** In how many of the newest runs in a row the step was skipped. */
function skippedInARow(newest: readonly HistoryEntry[], stepId: string): number {
  let count = 0;
  for (const entry of newest) {
    if (entry.steps.find((step) => step.id === stepId)?.skipped !== true) break;
    count += 1;
  }
  return count;
}
