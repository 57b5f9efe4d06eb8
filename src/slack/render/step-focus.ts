import type { Button } from "@slack/types";
import { usualText } from "../../core/history/figures.js";
import { assigneeOf } from "../../core/run/people.js";
import { someoneMay } from "../../core/run/permissions.js";
import type { Problem, Run } from "../../core/run/run-schema.js";
import type { LocatedStep } from "../../core/run/step-rules.js";
import { describeAction } from "../../render/run-markdown.js";
import { encodeActionValue } from "../action-value.js";
import { ACTION_IDS, type ActionId } from "../ids.js";
import { button, SLACK_LIMITS } from "./budget.js";
import { checkReportText } from "./check-table.js";
import { gateMark } from "./gate-mark.js";
import { escapeMrkdwn, markdownToMrkdwn, mention, slackLink, truncate, truncateMrkdwn } from "./mrkdwn.js";
import { recoveryStepButtons, recoveryStepLines } from "./recovery-blocks.js";
import { STATUS_EMOJI, statusNote, stepProgress, stepTitle } from "./step-line.js";

/** A step in focus (running, waiting for a verifier, next to start): everything needed to do it. */

/** One focus step is one section: its status, its problems and, room permitting, its details. */
const FOCUS_SECTION_CHARS = 2_900;
const DETAILS_CHARS = 1_200;
const COMMAND_CHARS = 500;
const EXPECT_CHARS = 600;
const PROBLEM_CHARS = 300;
const PROBLEMS_SHOWN = 3;
/** A detail that doesn't fit gets cut only if at least this much of it can be shown. */
const MIN_PARTIAL_CHARS = 80;
const DETAILS_CUT = "… (full text in the checklist)";
const MORE_IN_CHECKLIST = "_… more in the checklist_";

/** `assigned to @dba-team` on a step not done yet (people.ts): who is expected to do it. */
function assignedMark(run: Run, located: LocatedStep): string | undefined {
  if (!["pending", "running", "failed"].includes(located.state.status)) return undefined;
  const assignee = assigneeOf(run, located.plan.id);
  return assignee ? `👤 assigned to ${mention(assignee)}` : undefined;
}

export function focusStepText(
  run: Run,
  located: LocatedStep,
  problems: readonly Problem[],
  now: Date,
  withDetails: boolean,
): string {
  const { plan, state } = located;
  const note = statusNote(state);
  const lines = [`${STATUS_EMOJI[state.status]} *${stepTitle(located)}*${note ? ` — ${note}` : ""}`];
  const progress = stepProgress(plan, state, now);
  const gate = gateMark(run, located, now);
  const ready =
    gate ?? (state.status === "pending" ? (plan.decision ? "waiting for a decision" : "ready to start") : "");
  const marks = [
    plan.verify && (state.status === "pending" || state.status === "running")
      ? "a teammate verifies"
      : undefined,
    plan.downtime === "start" ? "downtime starts here" : undefined,
    plan.downtime === "end" ? "downtime ends here" : undefined,
    // What earlier runs took, while it runs: "usually 12–18 min (5 earlier runs)".
    state.status === "running" ? usualText(run.earlier, plan.id) : undefined,
    assignedMark(run, located),
  ].filter((mark) => mark !== undefined);
  const status = [ready, progress, ...marks].filter((part) => part !== "").join(" · ");
  if (status) lines.push(status.charAt(0).toUpperCase() + status.slice(1));
  lines.push(...recoveryStepLines(run, located));
  for (const problem of problems.slice(0, PROBLEMS_SHOWN)) {
    lines.push(`🚩 ${truncate(escapeMrkdwn(problem.text), PROBLEM_CHARS)} — ${mention(problem.reportedBy)}`);
  }
  if (problems.length > PROBLEMS_SHOWN)
    lines.push(`🚩 …and ${problems.length - PROBLEMS_SHOWN} more problems`);
  if (state.check && state.status !== "pending") lines.push(checkReportText(state.check));
  const head = truncateMrkdwn(lines.join("\n"), FOCUS_SECTION_CHARS);
  if (!withDetails) return head;
  const details = packParts(detailParts(run, located), FOCUS_SECTION_CHARS - head.length - 1);
  return details ? `${head}\n${details}` : head;
}

/** How a detail may be cut: text anywhere, code with its fence closed, a link not at all. */
interface Part {
  text: string;
  cut: "text" | "code" | "never";
}

function detailParts(run: Run, located: LocatedStep): Part[] {
  const { plan } = located;
  const parts: Part[] = [];
  const text = (value: string) => parts.push({ text: value, cut: "text" });
  if (plan.details) text(truncateMrkdwn(markdownToMrkdwn(plan.details.trim()), DETAILS_CHARS, DETAILS_CUT));
  for (const link of plan.links ?? []) {
    const label = escapeMrkdwn(link.label.trim());
    parts.push({ text: `🔗 ${slackLink(escapeMrkdwn(link.url), label) ?? label}`, cut: "never" });
  }
  for (const command of plan.commands ?? []) {
    parts.push({
      text: `\`\`\`\n${truncate(escapeMrkdwn(command.trimEnd()), COMMAND_CHARS)}\n\`\`\``,
      cut: "code",
    });
  }
  if (plan.expect) text(`_Expect:_ ${truncate(escapeMrkdwn(plan.expect.trim()), EXPECT_CHARS, DETAILS_CUT)}`);
  if (plan.rollback)
    text(`_Rollback:_ ${truncate(escapeMrkdwn(plan.rollback.trim()), EXPECT_CHARS, DETAILS_CUT)}`);
  if (plan.action) {
    const dry = run.dryRun ? " _(dry run: not executed)_" : "";
    text(`_Automated:_ ${escapeMrkdwn(describeAction(plan.action))}${dry}`);
  }
  return parts;
}

/**
 * As many parts as fit in `budget` characters, in order. A part that doesn't fit is cut if it
 * may be, else left out while smaller ones after it still get their chance; the reader is told.
 */
function packParts(parts: readonly Part[], budget: number): string {
  const room = budget - MORE_IN_CHECKLIST.length - 1;
  if (room <= 0) return "";
  const out: string[] = [];
  let used = 0;
  let omitted = false;
  for (const part of parts) {
    const separator = out.length > 0 ? 1 : 0;
    const left = room - used - separator;
    if (part.text.length <= left) {
      out.push(part.text);
      used += separator + part.text.length;
      continue;
    }
    omitted = true;
    if (part.cut !== "never" && left >= MIN_PARTIAL_CHARS) {
      const cut = part.cut === "code" ? truncateMrkdwn(part.text, left, "") : truncate(part.text, left);
      out.push(cut);
      used += separator + cut.length;
    }
  }
  if (omitted) out.push(MORE_IN_CHECKLIST);
  return out.join("\n");
}

type StepAction = "start_step" | "complete_step" | "verify_step" | "approve_step" | "skip_step";

/** In the order they are drawn. */
const STEP_BUTTONS: { action: StepAction; label: string; actionId: ActionId; style?: "primary" }[] = [
  { action: "start_step", label: "Start", actionId: ACTION_IDS.startStep },
  { action: "complete_step", label: "Done", actionId: ACTION_IDS.completeStep, style: "primary" },
  { action: "verify_step", label: "Verify", actionId: ACTION_IDS.verifyStep, style: "primary" },
  { action: "approve_step", label: "Approve change", actionId: ACTION_IDS.approveStep, style: "primary" },
  { action: "skip_step", label: "Skip", actionId: ACTION_IDS.skipStep },
];

/**
 * The buttons for a step in focus: each action someone may take now (the engine's own guard
 * decides), then Report problem and Add note.
 */
export function focusStepButtons(run: Run, located: LocatedStep): Button[] {
  const value = encodeActionValue({ r: run.id, s: located.plan.id, v: run.progress });
  const stepId = located.plan.id;
  const buttons = STEP_BUTTONS.filter(({ action }) => someoneMay(run, { type: action, stepId })).map(
    ({ action, label, actionId, style }) => {
      // A failed automated step is started again to retry its call.
      const text = action === "start_step" && located.state.status === "failed" ? "Retry" : label;
      // A step that records values asks for them in a modal before it is done.
      if (action === "complete_step" && located.plan.record)
        return button(`${text}…`, ACTION_IDS.recordStep, value, style);
      return button(text, actionId, value, style);
    },
  );
  buttons.push(...recoveryStepButtons(run, located));
  if (someoneMay(run, { type: "report_problem", stepId }))
    buttons.push(button("Report problem", ACTION_IDS.reportProblem, value));
  if (someoneMay(run, { type: "add_note", stepId }))
    buttons.push(button("Add note", ACTION_IDS.addNote, value));
  return buttons.slice(0, SLACK_LIMITS.actionsElements);
}
