import { formatDuration } from "../core/duration.js";
import type { Run } from "../core/run/run-schema.js";
import { buildSummary } from "../core/summary.js";
import type { TrackerName } from "../core/tracker/ticket.js";
import { finishJira, finishMarkdown, peopleText } from "../render/people-text.js";
import { summaryDraft } from "../render/summary-markdown.js";
import type { TrackerIssueRef } from "./tracker-port.js";

/**
 * What Preflight writes to GitHub or Jira. Text from people (notes, problems, follow-ups, reasons,
 * parameters) is text there: escaped as Markdown text on GitHub and as wiki text on Jira, on one
 * line where it joins a line of Preflight's (people-text.ts), so it makes no link, image, HTML,
 * mention or line of Preflight's own. `neutralise` also keeps an `@team` or `#123` in Preflight's
 * own text (a checklist's title) from pinging a team or linking an issue. Only the references
 * Preflight adds itself stay live.
 */

const ZERO_WIDTH = "\u200b";

export function neutralise(text: string, tracker: TrackerName): string {
  let out = text
    // `@team`, `@org/team`: a zero-width space after @ keeps it from being a mention.
    .replace(/@(?=[A-Za-z0-9_-])/g, `@${ZERO_WIDTH}`)
    // `#123`, `GH-123`-like autolinks on GitHub; Jira has none but loses nothing.
    .replace(/#(?=\d)/g, `#${ZERO_WIDTH}`);
  if (tracker === "jira") out = out.replace(/\[~/g, `[${ZERO_WIDTH}~`);
  return out;
}

function who(user: string): string {
  return user.startsWith("U") || user.startsWith("W") ? `Slack user ${user}` : user;
}

/** A person's text (or a parameter's value) as text in the tracker's markup, on one line. */
function text(value: string, tracker: TrackerName): string {
  return peopleText(value, tracker === "jira" ? "jira" : "markdown");
}

function link(tracker: TrackerName, label: string, url: string | undefined): string {
  if (!url) return label;
  return tracker === "github" ? `[${label}](${url})` : `[${label}|${url}]`;
}

export function startComment(run: Run, tracker: TrackerName, runLink: string | undefined): string {
  const env = run.environment ? ` in ${text(run.environment, tracker)}` : "";
  const lines = [
    `Preflight: ${text(run.plan.title, tracker)}${env} started.`,
    "",
    `- Checklist: ${text(run.plan.id, tracker)} (${text(run.plan.title, tracker)})`,
    `- Environment: ${run.environment ? text(run.environment, tracker) : "not set"}`,
    `- Owner: ${who(run.owner)}`,
    `- Buddy: ${run.buddy ? who(run.buddy) : "none"}`,
    `- Run: ${link(tracker, run.id, runLink)}`,
  ];
  return lines.join("\n");
}

export function endComment(run: Run, tracker: TrackerName, runLink: string | undefined, now: Date): string {
  const summary = buildSummary({ run, pendingReminders: [], now });
  const outcome =
    run.status === "finished"
      ? "finished"
      : run.status === "aborted"
        ? `aborted: ${text(run.abortReason ?? "", tracker)}`
        : run.status;
  const downtime =
    summary.downtime?.actualMs !== undefined ? formatDuration(summary.downtime.actualMs) : "none recorded";
  const lines = [
    `Preflight: ${text(run.plan.title, tracker)} ${run.status === "finished" ? "finished" : "ended"}.`,
    "",
    `- Outcome: ${outcome}`,
    `- Total time: ${formatDuration(summary.totalMs)}`,
    `- Downtime: ${downtime}`,
    `- Summary: ${link(tracker, `post-mortem of ${run.id}`, runLink)}`,
  ];
  return lines.join("\n");
}

export function postMortemTitle(run: Run, tracker: TrackerName): string {
  const date = (run.closedAt ?? run.createdAt).slice(0, 10);
  const env = run.environment ?? "no environment";
  return neutralise(`Post-mortem: ${run.plan.title} (${env}, ${date})`, tracker).slice(0, 250);
}

/** The Markdown post-mortem, and the follow-ups as a task list of issue references. */
export function postMortemBody(run: Run, tracker: TrackerName, now: Date): string {
  const summary = buildSummary({ run, pendingReminders: [], now });
  const draft = summaryDraft(summary);
  // Preflight's Markdown becomes wiki markup around people's text, which is escaped afterwards.
  const finished = tracker === "jira" ? finishJira(jiraWiki(draft)) : finishMarkdown(draft);
  const body = neutralise(finished, tracker);
  const followUps = Object.entries(run.tracker?.followUps ?? {})
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([index, issue]) => followUpLine(run, Number(index), issue, tracker));
  if (followUps.length === 0) return body;
  const heading = tracker === "github" ? "## Follow-up issues" : "h2. Follow-up issues";
  return `${body.trimEnd()}\n\n${heading}\n\n${followUps.join("\n")}\n`;
}

function followUpLine(run: Run, index: number, issue: TrackerIssueRef, tracker: TrackerName): string {
  const said = text(oneLine(run.followUps[index]?.text ?? "").slice(0, 200), tracker);
  if (tracker === "github") {
    // `- [ ] #57`: GitHub draws a task list that ticks itself when the issue closes.
    const number = issue.ref.split("#")[1];
    return `- [ ] #${number} ${said}`;
  }
  return `* ${issue.ref} ${said}`;
}

export function followUpTitle(run: Run, index: number, tracker: TrackerName): string {
  const text = oneLine(run.followUps[index]?.text ?? "follow-up");
  return neutralise(`Follow-up: ${text}`, tracker).slice(0, 200);
}

export function followUpBody(
  run: Run,
  index: number,
  tracker: TrackerName,
  postMortem: TrackerIssueRef | undefined,
): string {
  const followUp = run.followUps[index];
  const from = postMortem
    ? tracker === "github"
      ? `Post-mortem: ${postMortem.ref}`
      : `Post-mortem: ${postMortem.ref}`
    : "";
  return [
    text(followUp?.text ?? "", tracker),
    "",
    `Written down by ${who(followUp?.by ?? "someone")} after run ${run.id} (${text(run.plan.title, tracker)}).`,
    from,
  ]
    .filter((line, i) => line !== "" || i === 1)
    .join("\n");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The Markdown post-mortem in Jira's wiki markup (REST v2): headings, bold, code spans, links and
 * tables, so it reads as a page rather than as Markdown source.
 */
export function jiraWiki(markdown: string): string {
  return markdown
    .split("\n")
    .filter((line) => !/^\|(\s*-{3,}\s*\|)+\s*$/.test(line))
    .map((line) =>
      line
        .replace(/^(#{1,6}) (.*)$/, (_, hashes: string, text: string) => `h${hashes.length}. ${text}`)
        .replace(/^(\s*)- /, "$1* ")
        .replace(/\*\*([^*]+)\*\*/g, "*$1*")
        .replace(/`([^`]+)`/g, "{{$1}}")
        .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, "[$1|$2]"),
    )
    .join("\n");
}
