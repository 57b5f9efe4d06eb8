import { formatDuration } from "../core/duration.js";
import { PREFLIGHT_USER } from "../core/run/run-schema.js";
import type { StepRef, StepSummary } from "../core/summary.js";
import { said } from "./people-text.js";

/** How the post-mortem writes times, people, links and cells (summary-markdown.ts). Pure. */

export function mdLink(label: string, url: string | undefined): string {
  const text = label.replace(/[\\`*_~[\]()<>|]/g, "\\$&");
  return url && /^https?:\/\/[^\s()<>]+$/.test(url) ? `[${text}](${url})` : text;
}

export function orNone(lines: string[], none: string): string[] {
  return lines.length > 0 ? lines : [none];
}

/** `2026-11-20 09:05 UTC`. */
export function utc(iso: string): string {
  const text = new Date(iso).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}

/** `09:53 UTC` when on the same day as `since`, else the full date and time. */
export function utcAfter(iso: string, since: string): string {
  const full = utc(iso);
  return full.slice(0, 10) === utc(since).slice(0, 10) ? full.slice(11) : full;
}

/** `09:05`, with the date when it is not the run's first day. */
export function clock(iso: string, day: string): string {
  const text = new Date(iso).toISOString();
  return text.slice(0, 10) === day ? text.slice(11, 16) : `${text.slice(0, 10)} ${text.slice(11, 16)}`;
}

export function who(user: string): string {
  return user === PREFLIGHT_USER ? "Preflight" : `<@${user}>`;
}

export function channel(id: string): string {
  return /^[CG][A-Z0-9_]+$/.test(id) ? `<#${id}>` : id;
}

/** A step named in a line of the post-mortem; its title may carry parameters, so it is people's text. */
export function stepName(step: StepRef): string {
  return `step ${step.number} "${said(step.title)}"`;
}

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** A table cell: one line, `|` escaped. */
export function cell(text: string): string {
  return oneLine(text).replace(/\|/g, "\\|");
}

export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, " ").trim();
}

/** Text in a list item: later lines indented so they stay in the item. */
export function indented(text: string, by = 2): string {
  return text.trim().replace(/\r?\n/g, `\n${" ".repeat(by)}`);
}

/** An inline code span that survives backticks in the text. */
export function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${fence === "``" ? " " : ""}${text}${fence === "``" ? " " : ""}${fence}`;
}

export const UNTIMED = "—";
export const untimed = (step: StepSummary) => step.completedAt !== undefined && step.durationMs === undefined;

export function tookText(step: StepSummary): string {
  if (untimed(step)) return UNTIMED;
  if (step.durationMs === undefined) return "";
  return `${step.durationOpen ? "≥ " : ""}${formatDuration(step.durationMs)}`;
}

/** Who acted: the starter and the completer (one name when it was the same person), the approver, the skipper. */
export function byText(step: StepSummary): string {
  const people: string[] = [];
  if (step.startedBy && step.completedBy && step.startedBy !== step.completedBy)
    people.push(`${who(step.startedBy)} → ${who(step.completedBy)}`);
  else if (step.completedBy ?? step.startedBy) people.push(who(step.completedBy ?? step.startedBy ?? ""));
  if (step.approvedBy) people.push(`approved by ${who(step.approvedBy)}`);
  if (step.skippedBy) people.push(`skipped by ${who(step.skippedBy)}`);
  return people.join(", ");
}
