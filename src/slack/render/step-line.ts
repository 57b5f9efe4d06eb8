import type { Step } from "../../core/checklist/schema.js";
import { formatDuration, formatDurationRange, parseDurationRange } from "../../core/duration.js";
import type { Problem, StepState, StepStatus } from "../../core/run/run-schema.js";
import { describeStatus, type LocatedStep } from "../../core/run/step-rules.js";
import { escapeMrkdwn, mention, slackDate, truncate } from "./mrkdwn.js";

/** How a step reads in one line: status, who, when, how long against the expected range. */

export const STATUS_EMOJI: Record<StepStatus, string> = {
  pending: "⚪",
  awaiting_approval: "🟠",
  running: "🔵",
  awaiting_verification: "🟡",
  done: "✅",
  skipped: "⏭️",
  failed: "❌",
  not_applicable: "➖",
};

/** The longest a compact line may get; reasons and problems are cut well before. */
const COMPACT_LINE_CHARS = 400;
const REASON_CHARS = 200;
const PROBLEM_IN_LINE_CHARS = 120;
const MIN_TITLE_CHARS = 60;

export function stepTitle(located: Pick<LocatedStep, "index" | "plan">): string {
  return `${located.index + 1}. ${escapeMrkdwn(located.plan.title.trim())}`;
}

/** `took 12m (expected 10m–20m)`, `⚠️ took 31m (…)` when over the range, `running 5m (…)`. */
function stepTiming(plan: Step, state: StepState, now: Date): string | undefined {
  const range = plan.duration ? parseDurationRange(plan.duration) : undefined;
  const expected = range ? ` (expected ${formatDurationRange(range)})` : "";
  const started = state.startedAt ? Date.parse(state.startedAt) : undefined;
  if (started === undefined) return range ? `expected ${formatDurationRange(range)}` : undefined;
  const running = state.status === "running";
  const end = running ? now.getTime() : state.completedAt ? Date.parse(state.completedAt) : undefined;
  if (end === undefined) return undefined;
  const ms = end - started;
  // Marked done without being started: the engine records no time spent, so claim none.
  if (ms <= 0 && !running) return range ? `expected ${formatDurationRange(range)}` : undefined;
  const overrun = range !== undefined && ms > range.maxMs ? "⚠️ " : "";
  return `${overrun}${running ? "running" : "took"} ${formatDuration(ms)}${expected}`;
}

/** Who did what and when, e.g. `<@U1> 09:07 · took 7m (expected 5m–10m) · verified by <@U2>`. */
export function stepProgress(plan: Step, state: StepState, now: Date): string {
  const parts: string[] = [];
  switch (state.status) {
    case "awaiting_approval":
      if (state.startedBy) parts.push(`requested by ${mention(state.startedBy)}`);
      break;
    case "running":
      if (state.startedBy) parts.push(`started by ${mention(state.startedBy)}`);
      if (state.approvedBy) parts.push(`approved by ${mention(state.approvedBy)}`);
      if (state.startedAt) parts.push(slackDate(state.startedAt, "{time}"));
      break;
    case "awaiting_verification":
    case "done":
      if (state.completedBy) parts.push(mention(state.completedBy));
      if (state.completedAt) parts.push(slackDate(state.completedAt, "{time}"));
      break;
    default:
      break;
  }
  const who = parts.join(" ");
  const timing =
    state.status === "skipped" || state.status === "not_applicable"
      ? undefined
      : stepTiming(plan, state, now);
  const verified = state.verifiedBy ? `verified by ${mention(state.verifiedBy)}` : undefined;
  return [who, timing, verified].filter((part) => part !== undefined && part !== "").join(" · ");
}

/** What only some statuses add: the wait for a verifier, the skip reason, the failure. */
export function statusNote(state: StepState): string | undefined {
  switch (state.status) {
    case "awaiting_verification": {
      // The verifier sees what was recorded or checked next to Verify.
      const results = resultsNote(state);
      return results ? `${describeStatus(state.status)} · ${results}` : describeStatus(state.status);
    }
    case "awaiting_approval":
      return describeStatus(state.status);
    case "running":
      return state.actionStatus
        ? `⏳ ${truncate(escapeMrkdwn(state.actionStatus), REASON_CHARS)}`
        : undefined;
    case "done":
      return resultsNote(state);
    case "skipped": {
      const by = state.skippedBy ? ` by ${mention(state.skippedBy)}` : "";
      const reason = state.skipReason ? `: ${truncate(escapeMrkdwn(state.skipReason), REASON_CHARS)}` : "";
      return `skipped${by}${reason}`;
    }
    case "failed":
      return state.failure ? `failed: ${truncate(escapeMrkdwn(state.failure), REASON_CHARS)}` : "failed";
    case "not_applicable":
      return "not applicable to this run";
    default:
      return undefined;
  }
}

/** What an automated step produced (`id=…, status=available`), shown once it is done. */
function resultsNote(state: StepState): string | undefined {
  const entries = Object.entries(state.results);
  if (entries.length === 0) return undefined;
  return truncate(escapeMrkdwn(entries.map(([key, value]) => `${key}=${value}`).join(", ")), REASON_CHARS);
}

function problemMark(problem: Problem, max = PROBLEM_IN_LINE_CHARS): string {
  return `🚩 ${truncate(escapeMrkdwn(problem.text), max)}`;
}

/** One line per step: `✅ 3. Take snapshot — skipped: not needed · <@U1> 09:07 · took 7m …`. */
export function compactStepLine(
  located: LocatedStep,
  problems: readonly Problem[],
  now: Date,
  /** What earlier runs took (`usually 12–18 min (5 earlier runs)`), shown while the step runs. */
  usual?: string,
): string {
  const { plan, state } = located;
  const note = statusNote(state);
  const progress = stepProgress(plan, state, now);
  const tail = [note, progress, state.status === "running" ? usual : undefined]
    .filter((part) => part !== undefined && part !== "")
    .join(" · ");
  const flags = problems.map((problem) => ` ${problemMark(problem)}`).join("");
  const after = `${tail ? ` — ${tail}` : ""}${flags}`;
  // A long title gives way first, so who, when and how long stay on the line.
  const title = truncate(
    stepTitle(located),
    Math.max(MIN_TITLE_CHARS, COMPACT_LINE_CHARS - after.length - 3),
  );
  return truncate(`${STATUS_EMOJI[state.status]} ${title}${after}`, COMPACT_LINE_CHARS);
}

/** The plan alone, for the full list in the thread: `12. Title · 10m–20m · a teammate verifies`. */
export function planStepLine(index: number, plan: Step): string {
  const range = plan.duration ? parseDurationRange(plan.duration) : undefined;
  const marks = [
    range ? formatDurationRange(range) : undefined,
    plan.verify ? "a teammate verifies" : undefined,
    plan.skippable ? undefined : "may not be skipped",
    plan.downtime === "start" ? "downtime starts" : plan.downtime === "end" ? "downtime ends" : undefined,
    plan.action ? "automated" : undefined,
    plan.when ? `only when ${escapeMrkdwn(plan.when)}` : undefined,
    plan.required_when ? `required when ${escapeMrkdwn(plan.required_when)}` : undefined,
    plan.not_before ? `not before ${escapeMrkdwn(plan.not_before)}` : undefined,
  ].filter((mark) => mark !== undefined);
  const line = `${stepTitle({ index, plan })}${marks.length > 0 ? ` · _${marks.join(" · ")}_` : ""}`;
  return truncate(line, COMPACT_LINE_CHARS);
}
