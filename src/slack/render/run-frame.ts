import type { Button, KnownBlock } from "@slack/types";
import { formatDuration } from "../../core/duration.js";
import { hasAudience } from "../../core/run/communications.js";
import { windowFigures } from "../../core/run/eta.js";
import { someoneMay } from "../../core/run/permissions.js";
import { REHEARSAL_MARK } from "../../core/run/rehearsal.js";
import type { Problem, Run } from "../../core/run/run-schema.js";
import { isFinished, openProblems, planSteps } from "../../core/run/step-rules.js";
import { encodeActionValue } from "../action-value.js";
import { ACTION_IDS } from "../ids.js";
import { actionRows, button, contexts, header, SLACK_LIMITS, section } from "./budget.js";
import { escapeMrkdwn, mention, slackDate, slackLink, truncate } from "./mrkdwn.js";
import { peopleMenu } from "./people-menu.js";
import { recoveryButtons, rolledBackBlock } from "./recovery-blocks.js";

/** What surrounds the steps in the run message: title, outcome, who and how long; problems and run buttons. */

const DRY_RUN_MARK = ` — ${REHEARSAL_MARK}`;
const ENVIRONMENT_CHARS = 100;
const OUTCOME_REASON_CHARS = 500;
const FOOTER_PROBLEM_CHARS = 300;
/** Problems listed in the footer and offered a Resolve button; the rest are counted. */
const FOOTER_PROBLEMS = 3;

export function titleBlock(run: Run): KnownBlock {
  if (!run.dryRun) return header(run.plan.title);
  const room = SLACK_LIMITS.headerChars - DRY_RUN_MARK.length;
  return header(`${truncate(run.plan.title, room)}${DRY_RUN_MARK}`);
}

/** ✅ Finished / 🛑 Aborted: reason, with who closed the run and when. Nothing while it is active. */
export function outcomeBlocks(run: Run): KnownBlock[] {
  if (run.status === "active" || run.status === "awaiting_override") return [];
  const closer = run.history.findLast((entry) => entry.type === "finish" || entry.type === "abort");
  const by = closer ? ` by ${mention(closer.by)}` : "";
  const when = run.closedAt ? ` ${slackDate(run.closedAt)}` : "";
  if (run.status === "finished") return [section(`✅ *Finished*${by}${when}`)];
  if (run.status === "rolled_back") return [rolledBackBlock(run)];
  const reason = run.abortReason ? `: ${truncate(escapeMrkdwn(run.abortReason), OUTCOME_REASON_CHARS)}` : "";
  return [section(`🛑 *Aborted*${reason}\n${by.trim()}${when}`.trimEnd())];
}

/** Environment, owner, buddy, start, elapsed time, downtime so far and progress: one context block. */
export function metaBlocks(run: Run, now: Date): KnownBlock[] {
  const end = run.closedAt ? Date.parse(run.closedAt) : now.getTime();
  const elements = [
    run.environment ? `*Environment:* ${truncate(escapeMrkdwn(run.environment), ENVIRONMENT_CHARS)}` : "",
    `*Owner:* ${mention(run.owner)}`,
    run.buddy ? `*Buddy:* ${mention(run.buddy)}` : "",
    ticketText(run),
    `*Started:* ${slackDate(run.createdAt)}`,
    `*${run.closedAt === undefined ? "Elapsed" : "Took"}:* ${formatDuration(end - Date.parse(run.createdAt))}`,
    downtimeText(run, now),
    expectedEndText(run, now),
    `*Progress:* ${run.steps.filter((step) => isFinished(step.status)).length}/${run.steps.length} steps done`,
  ];
  return contexts(elements.filter((text) => text !== ""));
}

/** While a run with an announced end (stakeholders, a status page, a window) is open: when it should end. */
function expectedEndText(run: Run, now: Date): string {
  if (run.status !== "active" || (!hasAudience(run) && run.plan.announced_window === undefined)) return "";
  const figures = windowFigures(run, now);
  const eta = slackDate(new Date(figures.projectedEndMs).toISOString(), "{time}");
  const planned = slackDate(new Date(figures.plannedEndMs).toISOString(), "{time}");
  return figures.overrunning
    ? `*Expected end:* ⚠️ ${eta} (announced ${planned})`
    : `*Expected end:* ${planned}`;
}

/** From the `downtime: start` step (started or completed) to the `downtime: end` step's completion. */
function downtimeText(run: Run, now: Date): string {
  const planned = planSteps(run);
  const stateOf = (kind: "start" | "end") => {
    const index = planned.findIndex((step) => step.plan.downtime === kind);
    return index < 0 ? undefined : run.steps[index];
  };
  const start = stateOf("start");
  const startedAt = start?.startedAt ?? start?.completedAt;
  if (startedAt === undefined) return "";
  const endedAt = stateOf("end")?.completedAt ?? run.closedAt;
  const ms = (endedAt ? Date.parse(endedAt) : now.getTime()) - Date.parse(startedAt);
  return endedAt ? `*Downtime:* ${formatDuration(ms)}` : `*Downtime:* ${formatDuration(ms)} so far`;
}

/**
 * The footer: open problems the steps above don't show, then Finish run, Abort and a Resolve
 * button per open problem, each when the engine would accept it from someone (never once the
 * run is closed).
 */
export function footerBlocks(run: Run, unshownProblems: readonly Problem[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  if (unshownProblems.length > 0) {
    const lines = unshownProblems.slice(0, FOOTER_PROBLEMS).map((problem) => {
      const text = truncate(escapeMrkdwn(problem.text), FOOTER_PROBLEM_CHARS);
      return `🚩 ${text} — ${mention(problem.reportedBy)} ${slackDate(problem.reportedAt, "{time}")}`;
    });
    const more = unshownProblems.length - FOOTER_PROBLEMS;
    if (more > 0) lines.push(`…and ${more} more open problems`);
    blocks.push(section(`*Open problems*\n${lines.join("\n")}`));
  }
  const buttons: Button[] = [];
  const value = (extra: { p?: string }) => encodeActionValue({ r: run.id, v: run.progress, ...extra });
  if (someoneMay(run, { type: "finish" }))
    buttons.push(
      button(run.rollback ? "Finish roll back" : "Finish run", ACTION_IDS.finishRun, value({}), "primary"),
    );
  if (someoneMay(run, { type: "abort" }))
    buttons.push(button("Abort", ACTION_IDS.abortRun, value({}), "danger"));
  const resolvable = openProblems(run).filter((p) =>
    someoneMay(run, { type: "resolve_problem", problemId: p.id }),
  );
  for (const problem of resolvable.slice(0, FOOTER_PROBLEMS)) {
    const text = `Resolve: ${problem.text.replace(/\s+/g, " ").trim()}`;
    buttons.push(button(text, ACTION_IDS.resolveProblem, value({ p: problem.id })));
  }
  buttons.push(...recoveryButtons(run));
  if (buttons.length > 0) blocks.push(...actionRows(buttons));
  if (run.status === "active") withPeopleMenu(blocks, run);
  return blocks;
}

/** The overflow menu (hand over, buddy, reassign) ends the last row of run buttons, or a row of its own. */
function withPeopleMenu(blocks: KnownBlock[], run: Run): void {
  const last = blocks.at(-1);
  if (last?.type === "actions" && last.elements.length < SLACK_LIMITS.actionsElements)
    last.elements.push(peopleMenu(run));
  else blocks.push({ type: "actions", elements: [peopleMenu(run)] });
}

/** The notification text: title, progress and what happens now. */
export function fallbackText(run: Run, currentTitle: string | undefined): string {
  const title = `${run.dryRun ? `${REHEARSAL_MARK}: ` : ""}${run.plan.title}${run.environment ? ` in ${run.environment}` : ""}`;
  const done = run.steps.filter((step) => isFinished(step.status)).length;
  const text =
    run.status === "finished"
      ? `${title}: finished`
      : run.status === "rolled_back"
        ? `${title}: rolled back${run.rollback ? ` — ${run.rollback.reason}` : ""}`
        : run.status === "aborted"
          ? `${title}: aborted${run.abortReason ? ` — ${run.abortReason}` : ""}`
          : run.status === "awaiting_override"
            ? `${title}: waiting for a teammate to approve starting past the gate`
            : `${title}: ${done}/${run.steps.length} steps done${currentTitle ? ` — now: ${currentTitle}` : ""}`;
  return truncate(escapeMrkdwn(text.replace(/\s+/g, " ")), 300);
}

/** `*Ticket:* <url|INV-12>`: a link when the tracker's page is known, else the id as text. */
export function ticketText(run: Pick<Run, "ticket" | "ticketUrl">): string {
  if (!run.ticket) return "";
  const label = escapeMrkdwn(run.ticket);
  const link = run.ticketUrl ? slackLink(escapeMrkdwn(run.ticketUrl), label) : undefined;
  return `*Ticket:* ${link ?? label}`;
}
