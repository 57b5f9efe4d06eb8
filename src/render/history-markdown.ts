import { formatDuration } from "../core/duration.js";
import type { HistoryComparison, StepComparison } from "../core/history/compare.js";
import { nothingToLearn, suggestionWords } from "./learn-words.js";
import { said } from "./people-text.js";

/** The post-mortem's comparison with earlier runs and what the checklist could learn, as Markdown. */

export function comparisonLines(history: HistoryComparison, environment?: string): string[] {
  const where = environment ? ` in ${said(environment)}` : "";
  if (history.earlierRuns === 0) return [`No earlier runs of this checklist${where} to compare with.`];
  const rows = history.steps.map((step) => {
    const flag = step.outsideRange && step.outsideEarlier ? "⚠️ outside both" : "";
    return `| ${step.number} | ${said(step.title)} | ${seconds(step.seconds)} | ${seconds(step.medianSeconds)} | ${seconds(step.p90Seconds)} | ${step.earlierRuns} | ${range(step)} | ${flag} |`;
  });
  const outside = history.steps.filter((step) => step.outsideRange && step.outsideEarlier);
  const verdict =
    outside.length === 0
      ? "No step was outside both its range and what earlier runs took."
      : `Outside both the checklist's range and the earlier p90: ${outside.map((step) => `step ${step.number} "${said(step.title)}" (${seconds(step.seconds)}, earlier p90 ${seconds(step.p90Seconds)}, expected ${range(step)})`).join("; ")}.`;
  return [
    `Compared with ${history.earlierRuns} earlier run${history.earlierRuns === 1 ? "" : "s"}${where} (median and p90 of the runs that timed the step).`,
    "",
    "| # | Step | This run | Earlier median | Earlier p90 | Earlier runs | Expected | |",
    "| ---: | --- | ---: | ---: | ---: | ---: | --- | --- |",
    ...rows,
    "",
    verdict,
  ];
}

export function learnLines(history: HistoryComparison): string[] {
  const none = nothingToLearn(history.learn);
  if (none) return [none];
  return history.learn.suggestions.map((suggestion) => `- ${suggestionWords(suggestion, said)}`);
}

function seconds(value: number | undefined): string {
  return value === undefined ? "" : formatDuration(value * 1000);
}

function range(step: StepComparison): string {
  if (!step.expected) return "";
  const { min, max } = step.expected;
  return min === 0
    ? `up to ${formatDuration(max * 1000)}`
    : `${formatDuration(min * 1000)}–${formatDuration(max * 1000)}`;
}
