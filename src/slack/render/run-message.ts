import type { KnownBlock } from "@slack/types";
import { usualText } from "../../core/history/figures.js";
import { liveStepText } from "../../core/run/eta.js";
import type { Problem, Run } from "../../core/run/run-schema.js";
import { inFocus, isFinished, type LocatedStep, openProblems, planSteps } from "../../core/run/step-rules.js";
import { actionRows, contexts, divider, fittingJson, packLines, SLACK_LIMITS, section } from "./budget.js";
import { escapeMrkdwn } from "./mrkdwn.js";
import { recoveryMarkBlocks } from "./recovery-blocks.js";
import { fallbackText, footerBlocks, metaBlocks, outcomeBlocks, titleBlock } from "./run-frame.js";
import { runMarkBlocks } from "./run-marks.js";
import { focusStepButtons, focusStepText } from "./step-focus.js";
import { compactStepLine } from "./step-line.js";

export { renderStepList } from "./step-list.js";

/**
 * The run message: `(run, now) → { text, blocks }`, pure, within Slack's limits for any checklist.
 * Finished phases collapse to one line, steps in focus are shown in full with their buttons, the
 * rest get one compact line each. When that is too much, the message degrades step by step (see
 * `degradation`) until it fits.
 */

/** Compact lines after the current step when the full list is in the thread. */
const DEFAULT_WINDOW = 10;
/** Windows tried, largest first, when the message is still too big. */
const WINDOWS = [20, 10, 5, 2, 0];
/** Focus steps shown in full (with buttons), tried in order when even the smallest window is too big. */
const FOCUS_LIMITS = [10, 5, 3, 2, 1];
/** Details of every focus step, of the first only, of none. */
const DETAIL_LEVELS = ["all", "first", "none"] as const;
/** needsStepList keeps this much room for what a run in progress adds (who, when, problems). */
const STATE_HEADROOM_CHARS = 2_000;
const STATE_HEADROOM_BLOCKS = 5;

interface Options {
  window: number;
  maxFocus: number;
  details: (typeof DETAIL_LEVELS)[number];
  /** The last resort: every finished phase together in one line. */
  oneLineForDonePhases: boolean;
}

interface RunView {
  run: Run;
  now: Date;
  phases: { title: string; steps: LocatedStep[] }[];
  /** Indices of the steps in focus: running, waiting for a verifier or an approver, or next to start. */
  focus: number[];
  /** The first focus step, else the first unfinished one: the window starts here. */
  current: number;
  problems: Map<string, Problem[]>;
  listInThread: boolean;
}

/** The run message: its fallback text, its blocks, and the blocks as the JSON text Slack receives. */
export function renderRunMessage(
  run: Run,
  now: Date,
): { text: string; blocks: KnownBlock[]; blocksJson: string } {
  const view = viewOf(run, now, needsStepList(run));
  const currentStep = view.phases.flatMap((phase) => phase.steps).find((s) => s.index === view.focus[0]);
  const text = fallbackText(run, currentStep?.plan.title);
  let blocks: KnownBlock[] = [];
  let blocksJson: string | undefined;
  for (const options of degradation(view.listInThread)) {
    blocks = composeMessage(view, options);
    // Measured on the text that is sent, which is kept: a redraw serialises its blocks once.
    blocksJson = fittingJson(blocks);
    if (blocksJson !== undefined) break;
  }
  return { text, blocks, blocksJson: blocksJson ?? JSON.stringify(blocks) };
}

/**
 * True when the run message can't show every step as at least a compact line, so the full list
 * goes into the thread. Judged on the run as it starts (plus headroom), so the answer stays the
 * same for the whole run and the message's "the full list is in the thread" stays true.
 */
export function needsStepList(run: Run): boolean {
  // Asked on every redraw: worked out once per plan (the answer is meant to stay the same for the
  // run, and a run's plan is one object, shared by every view of it that this process reads).
  const known = judged.get(run.plan);
  if (known !== undefined) return known;
  const answer = judgeStepList(run);
  judged.set(run.plan, answer);
  return answer;
}

/** needsStepList's answers by plan; forgotten with the plan. */
const judged = new WeakMap<Run["plan"], boolean>();

function judgeStepList(run: Run): boolean {
  const pristine: Run = {
    ...run,
    status: "active",
    closedAt: undefined,
    abortReason: undefined,
    problems: [],
    steps: run.steps.map((step) => ({ id: step.id, status: "pending", results: {} })),
  };
  const view = viewOf(pristine, new Date(run.createdAt), false);
  const options: Options = {
    window: Infinity,
    maxFocus: Infinity,
    details: "none",
    oneLineForDonePhases: false,
  };
  const blocks = composeMessage(view, options);
  return (
    blocks.length > SLACK_LIMITS.blocksPerMessage - STATE_HEADROOM_BLOCKS ||
    JSON.stringify(blocks).length > SLACK_LIMITS.messageJsonChars - STATE_HEADROOM_CHARS
  );
}

/**
 * The order in which the message gives things up: details of focus steps → compact lines beyond a
 * shrinking window after the current step → focus steps beyond the first few → one line for all
 * finished phases. Each window and focus limit is tried with details of all focus steps, of the
 * first, then of none, so details come back when a smaller window or fewer focus steps make room.
 */
function* degradation(listInThread: boolean): Generator<Options> {
  const windows = listInThread ? WINDOWS.filter((w) => w <= DEFAULT_WINDOW) : [Infinity, ...WINDOWS];
  const base = { maxFocus: Infinity, oneLineForDonePhases: false };
  for (const window of windows) for (const details of DETAIL_LEVELS) yield { ...base, window, details };
  for (const maxFocus of FOCUS_LIMITS)
    for (const details of DETAIL_LEVELS) yield { ...base, window: 0, maxFocus, details };
  yield { window: 0, maxFocus: 1, details: "none", oneLineForDonePhases: true };
}

function viewOf(run: Run, now: Date, listInThread: boolean): RunView {
  const planned = planSteps(run);
  // `{{run.eta}}` and the other live figures in a step's text read as of this drawing.
  const live = liveStepText(run, now);
  const located: LocatedStep[] = run.steps.flatMap((state, index) => {
    const plan = planned[index];
    return plan ? [{ index, state, plan: live(plan.plan), phaseId: plan.phaseId }] : [];
  });
  const phases = run.plan.phases.map((phase) => ({
    title: phase.title.trim(),
    steps: located.filter((step) => step.phaseId === phase.id),
  }));
  const focus = run.status === "active" ? located.filter((s) => inFocus(run, s)).map((s) => s.index) : [];
  const firstOpen = located.find((step) => !isFinished(step.state.status))?.index ?? located.length;
  const problems = new Map<string, Problem[]>();
  for (const problem of openProblems(run)) {
    if (problem.stepId === undefined) continue;
    problems.set(problem.stepId, [...(problems.get(problem.stepId) ?? []), problem]);
  }
  return { run, now, phases, focus, current: focus[0] ?? firstOpen, problems, listInThread };
}

function composeMessage(view: RunView, options: Options): KnownBlock[] {
  const { run } = view;
  const body = composeBody(view, options);
  const unshown = openProblems(run).filter((p) => p.stepId === undefined || !body.shown.has(p.stepId));
  const footer = footerBlocks(run, unshown);
  return [
    titleBlock(run),
    ...runMarkBlocks(run),
    ...recoveryMarkBlocks(run),
    ...outcomeBlocks(run),
    ...metaBlocks(run, view.now),
    divider(),
    ...body.blocks,
    ...(footer.length > 0 ? [divider(), ...footer] : []),
  ];
}

function composeBody(view: RunView, options: Options): { blocks: KnownBlock[]; shown: Set<string> } {
  const { run, now } = view;
  const full = view.focus.slice(0, options.maxFocus);
  const detailed = options.details === "all" ? full : options.details === "first" ? full.slice(0, 1) : [];
  const windowed = options.window !== Infinity;
  const writer = bodyWriter();
  const shown = new Set<string>();
  const donePhases = view.phases.filter((phase) => phase.steps.every((s) => isFinished(s.state.status)));
  if (options.oneLineForDonePhases && donePhases.length > 0) {
    const steps = donePhases.flatMap((phase) => phase.steps);
    writer.collapsed(`✅ ${donePhases.length} phases done — ${countFinished(steps)}`);
  }
  let after = 0;
  let hidden = 0;
  for (const phase of view.phases) {
    if (donePhases.includes(phase)) {
      if (!options.oneLineForDonePhases)
        writer.collapsed(`✅ *${escapeMrkdwn(phase.title)}* — ${countFinished(phase.steps)}`);
      continue;
    }
    let heading: string | undefined = `*${escapeMrkdwn(phase.title)}*`;
    const lines: string[] = [];
    const earlier: LocatedStep[] = [];
    const takeLines = () => {
      if (earlier.length > 0) lines.push(`✅ ${earlier.length} earlier steps: ${countFinished(earlier)}`);
      earlier.length = 0;
      const taken = heading ? [heading, ...lines] : [...lines];
      heading = undefined;
      lines.length = 0;
      return taken;
    };
    for (const step of phase.steps) {
      const problems = view.problems.get(step.plan.id) ?? [];
      if (full.includes(step.index)) {
        const text = focusStepText(run, step, problems, now, detailed.includes(step.index));
        writer.focus(takeLines(), text, actionRows(focusStepButtons(run, step)));
        shown.add(step.plan.id);
      } else if (step.index < view.current && windowed) {
        earlier.push(step);
      } else if (step.index < view.current || after < options.window) {
        if (step.index > view.current) after += 1;
        lines.push(compactStepLine(step, problems, now, usualText(run.earlier, step.plan.id)));
        shown.add(step.plan.id);
      } else {
        hidden += 1;
      }
    }
    if (earlier.length > 0 || lines.length > 0) writer.lines(takeLines());
  }
  if (hidden > 0) {
    const where = view.listInThread ? " — the full list is in the thread" : "";
    writer.lines([`…and ${hidden} more steps${where}`]);
  }
  return { blocks: writer.blocks(), shown };
}

function countFinished(steps: readonly LocatedStep[]): string {
  const skipped = steps.filter((step) => step.state.status === "skipped").length;
  const notApplicable = steps.filter((step) => step.state.status === "not_applicable").length;
  const done = steps.length - skipped - notApplicable;
  const counted = skipped > 0 ? `${done} done, ${skipped} skipped` : `${done} done`;
  return notApplicable > 0 ? `${counted}, ${notApplicable} not applicable` : counted;
}

/**
 * Collects the body in order: compact lines packed into few sections, consecutive collapsed
 * phases in shared context blocks, a focus step's section (merged with the lines before it
 * when they fit together) followed by its buttons.
 */
function bodyWriter() {
  const out: KnownBlock[] = [];
  let pendingLines: string[] = [];
  let pendingCollapsed: string[] = [];
  const flushCollapsed = () => {
    out.push(...contexts(pendingCollapsed));
    pendingCollapsed = [];
  };
  const flushLines = (then?: string) => {
    const texts = packLines(pendingLines);
    pendingLines = [];
    const last = texts.at(-1);
    if (
      then !== undefined &&
      last !== undefined &&
      last.length + 1 + then.length <= SLACK_LIMITS.sectionTextChars
    )
      texts[texts.length - 1] = `${last}\n${then}`;
    else if (then !== undefined) texts.push(then);
    out.push(...texts.map(section));
  };
  return {
    collapsed(text: string) {
      flushLines();
      pendingCollapsed.push(text);
    },
    lines(lines: readonly string[]) {
      flushCollapsed();
      pendingLines.push(...lines);
    },
    focus(before: readonly string[], text: string, actions: KnownBlock[]) {
      flushCollapsed();
      pendingLines.push(...before);
      flushLines(text);
      out.push(...actions);
    },
    blocks(): KnownBlock[] {
      flushLines();
      flushCollapsed();
      return out;
    },
  };
}
