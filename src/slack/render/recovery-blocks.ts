import type { Button, KnownBlock } from "@slack/types";
import { DECISION_OPTIONS } from "../../core/checklist/schema.js";
import { openPause } from "../../core/run/paused-time.js";
import { someoneMay } from "../../core/run/permissions.js";
import { deciderOf } from "../../core/run/recovery-rules.js";
import type { Run } from "../../core/run/run-schema.js";
import type { LocatedStep } from "../../core/run/step-rules.js";
import { encodeActionValue } from "../action-value.js";
import { ACTION_IDS } from "../ids.js";
import { DECISION_BUTTONS } from "../views/recovery-flows.js";
import { button, section } from "./budget.js";
import { escapeMrkdwn, mention, slackDate, truncate } from "./mrkdwn.js";

/** What the run message shows of decisions, pauses, a roll back and steps done by hand. */

const REASON_CHARS = 500;
const QUESTION_CHARS = 1_000;

/** ⏸️ Paused / ↩️ Rolling back, under the title while it lasts. */
export function recoveryMarkBlocks(run: Run): KnownBlock[] {
  if (run.status !== "active") return [];
  const blocks: KnownBlock[] = [];
  const pause = openPause(run);
  if (pause)
    blocks.push(
      section(
        `⏸️ *Paused* by ${mention(pause.by)} ${slackDate(pause.at)}: ${truncate(escapeMrkdwn(pause.reason), REASON_CHARS)}\nNothing moves until the owner or buddy resumes it; paused time does not count as overrun.`,
      ),
    );
  if (run.rollback)
    blocks.push(
      section(
        `↩️ *Rolling back* since ${slackDate(run.rollback.at)}, asked by ${mention(run.rollback.by)}: ${truncate(escapeMrkdwn(run.rollback.reason), REASON_CHARS)}\nWork the rollback steps below, newest first, then finish the roll back.`,
      ),
    );
  return blocks;
}

/** ↩️ Rolled back: the outcome line of a run that ended in its rollback. */
export function rolledBackBlock(run: Run): KnownBlock {
  const closer = run.history.findLast((entry) => entry.type === "finish" || entry.type === "decide");
  const by = closer ? ` by ${mention(closer.by)}` : "";
  const when = run.closedAt ? ` ${slackDate(run.closedAt)}` : "";
  const reason = run.rollback ? `: ${truncate(escapeMrkdwn(run.rollback.reason), REASON_CHARS)}` : "";
  return section(`↩️ *Rolled back*${reason}\n${by.trim()}${when}`.trimEnd());
}

/** Pause or Resume, and Roll back, for the footer: each when the engine would take it. */
export function recoveryButtons(run: Run): Button[] {
  const value = encodeActionValue({ r: run.id, v: run.progress });
  const buttons: Button[] = [];
  if (someoneMay(run, { type: "pause_run" })) buttons.push(button("Pause", ACTION_IDS.pauseRun, value));
  if (someoneMay(run, { type: "resume_run" }))
    buttons.push(button("Resume", ACTION_IDS.resumeRun, value, "primary"));
  if (someoneMay(run, { type: "roll_back" }))
    buttons.push(button("Roll back", ACTION_IDS.rollBackRun, value, "danger"));
  return buttons;
}

/** Lines a focus step adds: its question, that it is a point of no return, what was done by hand. */
export function recoveryStepLines(run: Run, located: LocatedStep): string[] {
  const { plan, state } = located;
  const lines: string[] = [];
  if (plan.decision && state.status === "pending") {
    const decider = deciderOf(run, located);
    const who = decider ? mention(decider) : "the named decider";
    const options = plan.decision.options.map((option) => option.replace("_", " ")).join(", ");
    lines.push(
      `🧭 *Decision:* ${truncate(escapeMrkdwn(plan.decision.question), QUESTION_CHARS)}\n${who} decides (${options}), with a reason.`,
    );
  }
  if (plan.irreversible && (state.status === "pending" || state.status === "failed"))
    lines.push("⚠️ *Point of no return*: starting it needs a teammate's approval.");
  if (state.manual)
    lines.push(
      `🖐️ Done by hand by ${mention(state.manual.by)}: ${truncate(escapeMrkdwn(state.manual.text), REASON_CHARS)}`,
    );
  return lines;
}

/** The decision options someone may pick now, then Done by hand for a failed automated step. */
export function recoveryStepButtons(run: Run, located: LocatedStep): Button[] {
  const stepId = located.plan.id;
  const value = encodeActionValue({ r: run.id, s: stepId, v: run.progress });
  const buttons: Button[] = [];
  const offered = located.plan.decision?.options ?? [];
  if (offered.length > 0 && someoneMay(run, { type: "decide", stepId })) {
    for (const option of DECISION_OPTIONS) {
      const spec = DECISION_BUTTONS.find((b) => b.option === option);
      if (!spec || !offered.includes(option)) continue;
      const style = option === "continue" ? "primary" : option === "abort" ? "danger" : undefined;
      buttons.push(button(spec.title, spec.actionId, value, style));
    }
  }
  if (someoneMay(run, { type: "done_by_hand", stepId }))
    buttons.push(button("Done by hand…", ACTION_IDS.doneByHand, value));
  return buttons;
}
