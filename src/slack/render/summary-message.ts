import type { KnownBlock } from "@slack/types";
import { formatDuration, formatDurationRange } from "../../core/duration.js";
import { REHEARSAL_MARK } from "../../core/run/rehearsal.js";
import { PREFLIGHT_USER } from "../../core/run/run-schema.js";
import type { StepRef, Summary } from "../../core/summary.js";
import { ACTION_IDS } from "../ids.js";
import { actionRows, button, contexts, fitsMessage, header, section } from "./budget.js";
import { escapeMrkdwn, mention, slackDate, slackLink, truncate } from "./mrkdwn.js";
import { ticketText } from "./run-frame.js";

/**
 * The post-mortem message in the run's thread: the headline figures and the exceptions only
 * (overruns, skips, problems, failures, pending reminders). Every list is capped; the rest is in
 * the Markdown file posted with it. Pure, and within Slack's limits for a run of any size: when
 * the message is too big, the lists get shorter until it fits.
 */

/** Items per list, tried in order until the message fits. */
const LIST_CAPS = [5, 3, 1, 0];
const ITEM_CHARS = 280;
const REASON_CHARS = 500;
const FALLBACK_CHARS = 300;

export interface SummaryMessageOptions {
  runId: string;
  followUpButton: boolean;
}

export function summaryMessage(
  summary: Summary,
  options: SummaryMessageOptions,
): { text: string; blocks: KnownBlock[] } {
  const lists = exceptionLists(summary);
  let blocks: KnownBlock[] = [];
  for (const cap of LIST_CAPS) {
    blocks = compose(summary, options, lists, cap);
    if (fitsMessage(blocks)) break;
  }
  return { text: fallbackText(summary), blocks };
}

interface ExceptionList {
  title: string;
  items: string[];
  /** Something that went differently from the plan (pending reminders are listed, but are not). */
  exception: boolean;
}

function compose(
  summary: Summary,
  options: SummaryMessageOptions,
  lists: readonly ExceptionList[],
  cap: number,
): KnownBlock[] {
  const env = summary.environment ? ` (${summary.environment})` : "";
  const blocks: KnownBlock[] = [header(`Post-mortem: ${summary.checklist.title}${env}`)];
  if (summary.dryRun)
    blocks.push(...contexts([`${REHEARSAL_MARK}: nothing it did counts for the environment gate.`]));
  // A start past the environment gate comes before everything else.
  if (summary.override) blocks.push(section(overrideText(summary)));
  blocks.push(section(headline(summary)));
  const shown = lists.filter((list) => list.items.length > 0);
  if (!shown.some((list) => list.exception))
    blocks.push(section("No exceptions: nothing overran, was skipped, failed or went wrong."));
  for (const list of shown) blocks.push(section(listText(list, cap)));
  blocks.push(
    ...contexts([`${versionText(summary)} · Every step, note and result is in the Markdown file.`]),
  );
  if (options.followUpButton) {
    const value = JSON.stringify({ r: options.runId });
    blocks.push(...actionRows([button("Add follow-ups", ACTION_IDS.summaryFollowUp, value, "primary")]));
  }
  return blocks;
}

function overrideText(summary: Summary): string {
  const override = summary.override;
  if (!override) return "";
  const approved = override.approvedBy
    ? `approved by ${who(override.approvedBy)}`
    : "never approved: the run did not start";
  const gate = `the ${plain(summary.environment ?? "environment")} gate`;
  return `⚠️ *Started past ${gate}* by ${who(override.requestedBy)}: ${truncate(plain(override.reason), REASON_CHARS)} — ${approved}`;
}

function listText(list: ExceptionList, cap: number): string {
  const shown = list.items.slice(0, cap).map((item) => `• ${truncate(item, ITEM_CHARS)}`);
  const more = list.items.length - shown.length;
  if (more > 0) shown.push(`…and ${more} more in the Markdown file`);
  return `*${list.title} (${list.items.length})*\n${shown.join("\n")}`;
}

function headline(summary: Summary): string {
  const { counts } = summary;
  const open = summary.problems.filter((problem) => !problem.resolved).length;
  const steps = [
    `${counts.done} done`,
    `${counts.skipped} skipped`,
    `${counts.failed} failed`,
    ...(counts.unfinished > 0 ? [`${counts.unfinished} not finished`] : []),
  ];
  return [
    outcomeLine(summary),
    ...trackerLines(summary),
    `*Total:* ${totalLine(summary)}`,
    ...(summary.downtime ? [`*Downtime:* ${downtimeLine(summary)}`] : []),
    `*Steps:* ${steps.join(" · ")} (of ${counts.total})`,
    `*Problems:* ${summary.problems.length}${open > 0 ? ` (${open} still open)` : ""} · *Notes:* ${summary.notes.length}`,
  ].join("\n");
}

function outcomeLine(summary: Summary): string {
  const by = summary.closedBy ? ` by ${who(summary.closedBy)}` : "";
  const dry = summary.dryRun ? " (dry run)" : "";
  if (summary.outcome === "finished") return `✅ *Finished*${by}${dry}`;
  if (summary.outcome === "active") return `⏳ *Still in progress*${dry}`;
  if (summary.outcome === "awaiting_override") return `⏳ *Waiting for the override's approval*${dry}`;
  if (summary.outcome === "rolled_back") {
    const why = summary.rollback ? `: ${truncate(plain(summary.rollback.reason), REASON_CHARS)}` : "";
    const undo = summary.steps.filter((step) => step.rollback);
    const back = `${undo.filter((step) => step.status === "done").length}/${undo.length} rollback steps done`;
    return `↩️ *Rolled back*${by}${dry}${why} (${back})`;
  }
  const reason = summary.abortReason ? `: ${truncate(plain(summary.abortReason), REASON_CHARS)}` : "";
  return `🛑 *Aborted*${by}${dry}${reason}`;
}

function totalLine(summary: Summary): string {
  const total = `${formatDuration(summary.totalMs)}${summary.outcome === "active" ? " so far" : ""}`;
  const max = summary.expected.maxMs;
  if (max === 0) return total;
  const mark = summary.totalMs > max ? " ⚠️" : "";
  return `${total}${mark} (the steps' expected maxima add up to ${formatDuration(max)})`;
}

function downtimeLine(summary: Summary): string {
  const downtime = summary.downtime;
  if (!downtime) return "";
  const plan = downtime.planned.maxMs > 0 ? `planned ${formatDurationRange(downtime.planned)}` : "no plan";
  if (downtime.actualMs === undefined) return `did not begin (${plan})`;
  const actual = `${downtime.openEnded ? "at least " : ""}${formatDuration(downtime.actualMs)}`;
  const open = downtime.openEnded ? ", *not ended*" : "";
  return downtime.overran ? `⚠️ ${actual}${open}, ${plan}` : `${actual}${open}, ${plan}`;
}

function exceptionLists(summary: Summary): ExceptionList[] {
  const overruns = summary.steps.flatMap((step) => {
    if (!step.overran || step.durationMs === undefined || !step.expected) return [];
    const took = `${step.durationOpen ? "at least " : ""}${formatDuration(step.durationMs)}`;
    const open = step.durationOpen ? " (not finished)" : "";
    return [`${name(step)}: took ${took}, expected ${formatDurationRange(step.expected)}${open}`];
  });
  const skips = summary.skipped.map(
    (skip) => `${name(skip)}${skip.by ? ` (${who(skip.by)})` : ""}: ${plain(skip.reason)}`,
  );
  // Open problems first: they are what the reader must act on.
  const byOpenFirst = [...summary.problems].sort((a, b) => Number(!!a.resolved) - Number(!!b.resolved));
  const problems = byOpenFirst.map((problem) => {
    const on = problem.step ? ` (step ${problem.step.number})` : "";
    if (!problem.resolved) return `🚩 *Open:* ${plain(problem.text)}${on} — ${who(problem.reportedBy)}`;
    const { by, resolution } = problem.resolved;
    return `✅ ${plain(problem.text)}${on} — resolved by ${who(by)}: ${plain(resolution)}`;
  });
  const failures = summary.steps.flatMap((step) =>
    step.failure ? [`${name(step)}: ${plain(step.failure)}`] : [],
  );
  const reminders = summary.pendingReminders.map(
    (reminder) => `${slackDate(reminder.dueAt)} in ${channel(reminder.channel)}: ${plain(reminder.text)}`,
  );
  return [
    { title: "⏱️ Overruns", items: overruns, exception: true },
    { title: "⏭️ Skipped", items: skips, exception: true },
    { title: "🚩 Problems", items: problems, exception: true },
    { title: "❌ Failures", items: failures, exception: true },
    { title: "⏰ Reminders still pending", items: reminders, exception: false },
    {
      title: "📈 Slower than its range and than earlier runs",
      items: slowerThanBefore(summary),
      exception: true,
    },
    { title: "📌 Follow-ups", items: followUpItems(summary), exception: false },
  ];
}

/** Steps outside both their range and the earlier p90 (when the post-mortem had the history). */
function slowerThanBefore(summary: Summary): string[] {
  return (summary.history?.steps ?? []).flatMap((step) =>
    step.outsideRange && step.outsideEarlier && step.seconds !== undefined && step.p90Seconds !== undefined
      ? [
          `${name(step)}: took ${formatDuration(step.seconds * 1000)}; ${step.earlierRuns} earlier runs: median ${formatDuration((step.medianSeconds ?? 0) * 1000)}, p90 ${formatDuration(step.p90Seconds * 1000)}`,
        ]
      : [],
  );
}

function versionText(summary: Summary): string {
  const { hash, commit } = summary.checklist.version;
  const version = commit ? `commit \`${commit.slice(0, 12)}\`` : "not in a git checkout";
  return `Checklist \`${escapeMrkdwn(summary.checklist.id)}\` version: hash \`${escapeMrkdwn(hash)}\`, ${version}`;
}

function fallbackText(summary: Summary): string {
  const env = summary.environment ? ` (${summary.environment})` : "";
  const overruns = summary.steps.filter((step) => step.overran).length;
  const figures = [
    `${summary.outcome === "active" ? "in progress" : summary.outcome} after ${formatDuration(summary.totalMs)}`,
    overruns > 0 ? `${overruns} overrun${overruns === 1 ? "" : "s"}` : "",
    summary.skipped.length > 0 ? `${summary.skipped.length} skipped` : "",
    summary.problems.length > 0
      ? `${summary.problems.length} problem${summary.problems.length === 1 ? "" : "s"}`
      : "",
  ].filter((text) => text !== "");
  const rehearsal = summary.dryRun ? `${REHEARSAL_MARK}: ` : "";
  const override = summary.override ? " ⚠️ started past the gate" : "";
  const text = `${rehearsal}Post-mortem of ${summary.checklist.title}${env}${override}: ${figures.join(", ")}`;
  return truncate(plain(text), FALLBACK_CHARS);
}

/** `*3. Apply the change*`. */
function name(step: StepRef): string {
  return `*${step.number}. ${plain(step.title)}*`;
}

/** Text people wrote, on one line and escaped for mrkdwn. */
function plain(text: string): string {
  return escapeMrkdwn(text.replace(/\s+/g, " ").trim());
}

function who(user: string): string {
  return user === PREFLIGHT_USER ? "Preflight" : mention(user);
}

function channel(id: string): string {
  return /^[CG][A-Z0-9_]+$/.test(id) ? `<#${id}>` : escapeMrkdwn(id);
}

/** The ticket and the post-mortem issue, as links Preflight made. */
function trackerLines(summary: Summary): string[] {
  const lines: string[] = [];
  if (summary.ticket) lines.push(ticketText({ ticket: summary.ticket.id, ticketUrl: summary.ticket.url }));
  const issue = summary.postMortemIssue;
  if (issue) lines.push(`*Post-mortem issue:* ${issueLink(issue)}`);
  return lines;
}

/**
 * Each follow-up, ending with its issue and its state there (open / closed) when known; listed
 * once they are issues in a tracker (before that, the Markdown file lists them).
 */
function followUpItems(summary: Summary): string[] {
  if (!summary.followUps.some((followUp) => followUp.issue)) return [];
  return summary.followUps.map((followUp) => {
    const issue = followUp.issue;
    const where = issue ? ` — ${issueLink(issue)}${issue.state ? ` (${issue.state})` : ""}` : "";
    return `${truncate(plain(followUp.text), REASON_CHARS)}${where}`;
  });
}

function issueLink(issue: { ref: string; url: string }): string {
  const label = escapeMrkdwn(issue.ref);
  return slackLink(escapeMrkdwn(issue.url), label) ?? label;
}
