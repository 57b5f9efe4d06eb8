import type { CheckReport } from "../core/checks/check-report.js";
import { formatDuration, formatDurationRange } from "../core/duration.js";
import { REHEARSAL_MARK } from "../core/run/rehearsal.js";
import { PREFLIGHT_USER, type StepStatus } from "../core/run/run-schema.js";
import type { AfterRunKind, DowntimeSummary, StepSummary, Summary } from "../core/summary.js";
import { comparisonLines, learnLines } from "./history-markdown.js";
import { evidenceLines, peopleLines } from "./people-markdown.js";
import { finishMarkdown, said, saidCode, saidLines } from "./people-text.js";
import { manualStatus, recoverySections } from "./summary-recovery-markdown.js";
import {
  byText,
  cell,
  channel,
  clock,
  code,
  count,
  mdLink,
  orNone,
  stepName,
  tookText,
  UNTIMED,
  untimed,
  utc,
  utcAfter,
  who,
} from "./summary-text.js";

/**
 * A run's post-mortem as Markdown, ready to paste into a ticket or a post-mortem page. Pure and
 * deterministic: times in UTC, no locale formatting; every step, note and record is listed.
 * Users are written as Slack writes them in its exports (`<@U…>`). Whatever a person typed or a
 * parameter carries is escaped as Markdown text (people-text.ts): only Preflight makes links.
 */
export function summaryMarkdown(summary: Summary): string {
  return finishMarkdown(summaryDraft(summary));
}

/**
 * The post-mortem with each person's text still a token (people-text.ts): `finishMarkdown` makes
 * it Markdown; the Jira issue converts Preflight's Markdown to wiki markup first, then `finishJira`.
 */
export function summaryDraft(summary: Summary): string {
  const env = summary.environment ? ` (${said(summary.environment)})` : "";
  const rehearsal = summary.dryRun ? `${REHEARSAL_MARK}: ` : "";
  const sections = [
    [`# ${rehearsal}Post-mortem: ${said(summary.checklist.title)}${env}`],
    // A start past the environment gate is what a reader must see first.
    ...(summary.override ? [overrideLines(summary)] : []),
    factsTable(summary),
    ...recoverySections(summary),
    ["## Downtime", "", ...downtimeLines(summary.downtime)],
    ["## Timeline", "", ...timelineTable(summary)],
    ["## Skipped", "", ...orNone(skippedLines(summary), "No step was skipped.")],
    ["## Problems", "", ...orNone(problemLines(summary), "None reported.")],
    ["## Notes", "", ...orNone(noteLines(summary), "None.")],
    // Shown when there is something to show (people-markdown.ts).
    ...[
      ["## Evidence from the thread", evidenceLines(summary)] as const,
      ["## Hand-overs", peopleLines(summary)] as const,
    ].flatMap(([title, lines]) => (lines.length > 0 ? [[title, "", ...lines]] : [])),
    ["## Automated results", "", ...orNone(resultLines(summary), "None.")],
    ["## Reminders still pending", "", ...orNone(reminderLines(summary), "None.")],
    ["## Follow-ups", "", ...orNone(followUpLines(summary), "None recorded yet.")],
    ["## After the run", "", ...orNone(afterRunLines(summary), "Nothing recorded yet.")],
    ...(summary.history
      ? [
          ["## Against earlier runs", "", ...comparisonLines(summary.history, summary.environment)],
          // The post-mortem ends with what the checklist could learn.
          ["## What this checklist could learn", "", ...learnLines(summary.history)],
        ]
      : []),
    [`_Made by Preflight on ${utc(summary.generatedAt)} from run \`${summary.runId}\`._`],
  ];
  return `${sections.map((lines) => lines.join("\n")).join("\n\n")}\n`;
}

function overrideLines(summary: Summary): string[] {
  const override = summary.override;
  if (!override) return [];
  const approved = override.approvedBy
    ? `approved by ${who(override.approvedBy)} at ${utc(override.approvedAt ?? override.requestedAt)}`
    : "never approved: the run did not start";
  return [
    `## ⚠️ Started past the ${summary.environment ? said(summary.environment) : "environment"} gate`,
    "",
    `- **By:** ${who(override.requestedBy)} at ${utc(override.requestedAt)}, ${approved}`,
    `- **Reason:** ${said(override.reason)}`,
    `- **The gate said:** ${said(override.gate)}`,
  ];
}

function factsTable(summary: Summary): string[] {
  const { checklist } = summary;
  const params = Object.entries(summary.params).map(([name, value]) => saidCode(`${name}=${value}`));
  const rows: [string, string][] = [
    ["Outcome", outcomeText(summary)],
    ["Started", utc(summary.startedAt)],
    ["Ended", summary.endedAt ? utc(summary.endedAt) : "not yet"],
    ["Total", totalText(summary)],
    ["Owner", who(summary.owner)],
    ["Buddy", summary.buddy ? who(summary.buddy) : "none"],
    ["Environment", summary.environment ? said(summary.environment) : "not set"],
    ["Checklist", `${said(checklist.title)} (${code(checklist.id)})`],
    ["Checklist version", versionText(summary)],
    ["Parameters", params.length > 0 ? params.join(", ") : "none"],
    ...ticketRows(summary),
  ];
  return [
    `| Run | ${code(summary.runId)} |`,
    "| --- | --- |",
    ...rows.map(([fact, value]) => `| ${fact} | ${cell(value)} |`),
  ];
}

function outcomeText(summary: Summary): string {
  const by = summary.closedBy ? ` by ${who(summary.closedBy)}` : "";
  const dry = summary.dryRun ? " (dry run)" : "";
  if (summary.outcome === "finished") return `✅ Finished${by}${dry}`;
  if (summary.outcome === "active") return `⏳ Still in progress${dry}`;
  if (summary.outcome === "awaiting_override") return `⏳ Waiting for the override's approval${dry}`;
  if (summary.outcome === "rolled_back")
    return `↩️ Rolled back${by}${summary.rollback ? `: ${said(summary.rollback.reason)}` : ""}${dry}`;
  const reason = summary.abortReason ? `: ${said(summary.abortReason)}` : "";
  return `🛑 Aborted${by}${reason}${dry}`;
}

function totalText(summary: Summary): string {
  const total = `${formatDuration(summary.totalMs)}${summary.outcome === "active" ? " so far" : ""}`;
  const { expected } = summary;
  const unestimated =
    expected.unestimatedSteps > 0 ? `; ${count(expected.unestimatedSteps, "step")} without an estimate` : "";
  if (expected.maxMs === 0) return `${total} (no step has an expected duration)`;
  return `${total} (the steps were expected to take ${formatDurationRange(expected)}${unestimated})`;
}

function versionText(summary: Summary): string {
  const { hash, commit, file } = summary.checklist.version;
  const where = file ? ` of ${code(file)}` : "";
  return commit
    ? `hash ${code(hash)}, commit ${code(commit)}${where}`
    : `hash ${code(hash)}${where} (not in a git checkout)`;
}

function downtimeLines(downtime: DowntimeSummary | undefined): string[] {
  if (!downtime) return ["The checklist marks no downtime."];
  const { planned, startStep, endStep } = downtime;
  const span = endStep
    ? `steps ${startStep.number}–${endStep.number}`
    : `step ${startStep.number} to the end`;
  const plan =
    planned.maxMs === 0
      ? `no estimate (no step of ${span} has an expected duration)`
      : `${formatDurationRange(planned)} (${span}${planned.unestimatedSteps > 0 ? `; ${count(planned.unestimatedSteps, "step")} without an estimate` : ""})`;
  const lines: string[] = [];
  if (downtime.startedAt === undefined || downtime.actualMs === undefined) {
    lines.push(`- **Actual:** none: ${stepName(startStep)}, which starts the downtime, was not started.`);
  } else if (downtime.endedAt) {
    lines.push(
      `- **Actual:** ${formatDuration(downtime.actualMs)}, ${utc(downtime.startedAt)} → ${utcAfter(downtime.endedAt, downtime.startedAt)}`,
    );
  } else {
    const end = endStep ? `${stepName(endStep)} was not done` : "the run has not ended";
    lines.push(
      `- **Actual:** at least ${formatDuration(downtime.actualMs)}, from ${utc(downtime.startedAt)}; **not ended**: ${end}.`,
    );
  }
  lines.push(`- **Planned:** ${plan}`);
  if (downtime.overran && downtime.actualMs !== undefined) {
    const over = formatDuration(downtime.actualMs - planned.maxMs);
    lines.push(`- ⚠️ **Overran the plan by ${downtime.openEnded ? "at least " : ""}${over}.**`);
  }
  return lines;
}

const STATUS_LABELS: Record<StepStatus, string> = {
  pending: "not started",
  awaiting_approval: "awaiting approval",
  running: "in progress",
  awaiting_verification: "awaiting verification",
  done: "done",
  skipped: "skipped",
  failed: "failed",
  not_applicable: "not applicable",
};

function timelineTable(summary: Summary): string[] {
  const day = summary.startedAt.slice(0, 10);
  const closed = summary.outcome === "active" ? undefined : summary.outcome === "aborted" ? "abort" : "end";
  const stillOpen = (step: StepSummary) =>
    closed && ["running", "awaiting_approval", "awaiting_verification"].includes(step.status)
      ? ` at the ${closed}`
      : "";
  const lines = [
    "| # | Step | Status | By | Verified by | Started (UTC) | Took | Expected | Overrun |",
    "| ---: | --- | --- | --- | --- | --- | ---: | --- | --- |",
  ];
  let phase: string | undefined;
  for (const step of summary.steps) {
    if (step.phase !== phase) {
      phase = step.phase;
      lines.push(`| | **${said(phase)}** | | | | | | | |`);
    }
    const marker = step.downtime ? ` _(downtime ${step.downtime === "start" ? "starts" : "ends"})_` : "";
    const status = step.manual
      ? (manualStatus(step, STATUS_LABELS[step.status]) ?? "")
      : step.failure
        ? `failed: ${said(step.failure)}`
        : `${STATUS_LABELS[step.status]}${stillOpen(step)}`;
    const started = step.startedAt ? clock(step.startedAt, day) : "";
    const overrun =
      step.overran && step.durationMs !== undefined && step.expected
        ? `⚠️ +${formatDuration(step.durationMs - step.expected.maxMs)}`
        : "";
    const cells = [
      String(step.number),
      `${said(step.title)}${marker}`,
      status,
      byText(step),
      step.verifiedBy ? who(step.verifiedBy) : "",
      started,
      tookText(step),
      step.expected ? formatDurationRange(step.expected) : "",
      overrun,
    ];
    lines.push(`| ${cells.map(cell).join(" | ")} |`);
  }
  if (summary.steps.some(untimed))
    lines.push("", `${UNTIMED}: marked done in one click, without a start, so not timed.`);
  return lines;
}

function skippedLines(summary: Summary): string[] {
  return summary.skipped.map((skip) => {
    const by = skip.by ? ` by ${who(skip.by)}` : "";
    const at = skip.at ? ` on ${utc(skip.at)}` : "";
    return `- **${skip.number}. ${said(skip.title)}**: skipped${by}${at}. Reason: ${saidLines(skip.reason)}`;
  });
}

function problemLines(summary: Summary): string[] {
  return summary.problems.map((problem, i) => {
    const on = problem.step ? ` (on ${stepName(problem.step)})` : "";
    const head = `${i + 1}. **${problem.resolved ? "Resolved" : "Still open"}:** ${saidLines(problem.text, 3)}${on}`;
    const reported = `Reported by ${who(problem.reportedBy)} on ${utc(problem.reportedAt)}.`;
    const ending = problem.resolved
      ? `Resolved ${formatDuration(Date.parse(problem.resolved.at) - Date.parse(problem.reportedAt))} later by ${who(problem.resolved.by)}: ${saidLines(problem.resolved.resolution, 3)}`
      : `Not resolved ${summary.outcome === "active" ? "yet" : `when the run was ${summary.outcome}`}.`;
    return `${head}\n   ${reported} ${ending}`;
  });
}

function noteLines(summary: Summary): string[] {
  return summary.notes.map((note) => {
    const where = note.source === "thread" ? "thread reply" : "note";
    const on = note.step ? ` on ${stepName(note.step)}` : "";
    return `- ${utc(note.at)}, ${who(note.by)} (${where}${on}): ${saidLines(note.text)}`;
  });
}

function resultLines(summary: Summary): string[] {
  return summary.results.flatMap((step) => {
    const values = step.results.map(({ key, value }) => saidCode(`${key}=${value}`));
    const line = `- **${step.number}. ${said(step.title)}:** ${values.join(", ")}`;
    return step.check ? [line, ...checkLines(step.check)] : [line];
  });
}

/**
 * Each expectation of a check, then its whole kept result, indented under the step. What the
 * check saw (a database's rows, an HTTP answer) is data, not markup: written as people's text.
 */
function checkLines(check: CheckReport): string[] {
  const outcomes = check.outcomes.map((o) => `  - ${o.ok ? "✔︎" : "✘"} ${said(o.text)}`);
  const table = resultTable(check);
  return [
    `  - ${said(check.target)}`,
    ...outcomes,
    ...(table.length > 0 ? ["", ...table.map((l) => `  ${l}`), ""] : []),
  ];
}

/** The whole kept result as a Markdown table (like `resultTableMarkdown`, each value escaped). */
function resultTable(report: CheckReport): string[] {
  if (report.columns.length === 0) return [];
  const lines = [
    `| ${report.columns.map(said).join(" | ")} |`,
    `| ${report.columns.map(() => "---").join(" | ")} |`,
    ...report.rows.map((row) => `| ${row.map(said).join(" | ")} |`),
  ];
  if (report.rowCount > report.rows.length)
    lines.push("", `(${report.rowCount} rows returned; the first ${report.rows.length} are kept)`);
  return lines;
}

function reminderLines(summary: Summary): string[] {
  return summary.pendingReminders.map(
    (reminder) => `- ${utc(reminder.dueAt)} in ${channel(reminder.channel)}: ${saidLines(reminder.text)}`,
  );
}

function followUpLines(summary: Summary): string[] {
  return summary.followUps.map(
    (followUp) =>
      `- ${who(followUp.by)}, ${utc(followUp.at)}: ${saidLines(followUp.text)}${followUpIssue(followUp)}`,
  );
}

/** ` — [acme/ops#58](…) (open)`: the follow-up's issue, and its state when it was asked. */
function followUpIssue(followUp: Summary["followUps"][number]): string {
  const issue = followUp.issue;
  if (!issue) return "";
  return ` — ${mdLink(issue.ref, issue.url)}${issue.state ? ` (${issue.state})` : ""}`;
}

/** The ticket and the post-mortem issue: Preflight's own links (ids are checked at start). */
function ticketRows(summary: Summary): [string, string][] {
  const rows: [string, string][] = [];
  if (summary.ticket) rows.push(["Ticket", mdLink(summary.ticket.id, summary.ticket.url)]);
  if (summary.postMortemIssue)
    rows.push(["Post-mortem issue", mdLink(summary.postMortemIssue.ref, summary.postMortemIssue.url)]);
  return rows;
}

const AFTER_RUN_LABELS: Record<AfterRunKind, string> = {
  reminder_done: "Reminder marked done",
  reminder_snoozed: "Reminder snoozed",
  deletion_requested: "Snapshot deletion asked for (a second person must confirm)",
  snapshot_deleted: "Snapshot deleted",
  post_failed: "⚠️ A post failed",
};

function afterRunLines(summary: Summary): string[] {
  return summary.afterRun.map((record) => {
    const by = record.by === PREFLIGHT_USER ? "" : ` by ${who(record.by)}`;
    const detail = record.detail ? `: ${saidLines(record.detail)}` : "";
    return `- ${utc(record.at)}: ${AFTER_RUN_LABELS[record.kind]}${by}${detail}`;
  });
}
