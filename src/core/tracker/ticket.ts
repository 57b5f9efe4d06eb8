import { matchesWithin, tooSlowToCheck } from "../bounded-match.js";
import type { Checklist } from "../checklist/schema.js";

/**
 * Work tickets: `owner/repo#123` is a GitHub issue, `ABC-123` a Jira issue. A run takes its
 * ticket as `ticket=<id>` (on `/maintenance start` or in the parameters form); a checklist may
 * require one in some environments and restrict its form with a pattern.
 */

export const TICKET_PARAM = "ticket";

export type TrackerName = "github" | "jira";

export type TicketRef =
  | { tracker: "github"; owner: string; repo: string; number: number }
  | { tracker: "jira"; key: string; project: string };

const GITHUB_TICKET = /^([\w.-]+)\/([\w.-]+)#([1-9][0-9]{0,9})$/;
const JIRA_TICKET = /^([A-Z][A-Z0-9_]+)-([1-9][0-9]{0,9})$/;
export const DEFAULT_TICKET_FORM = "owner/repo#123 (a GitHub issue) or ABC-123 (a Jira issue)";

export function parseTicket(id: string): TicketRef | undefined {
  const github = GITHUB_TICKET.exec(id);
  if (github)
    return {
      tracker: "github",
      owner: github[1] as string,
      repo: github[2] as string,
      number: Number(github[3]),
    };
  const jira = JIRA_TICKET.exec(id);
  if (jira) return { tracker: "jira", key: id, project: jira[1] as string };
  return undefined;
}

export function trackerTitle(tracker: TrackerName): string {
  return tracker === "github" ? "GitHub" : "Jira";
}

/** Whether the checklist takes `ticket` as one of its own parameters (then its rules apply too). */
export function ticketIsParameter(checklist: Checklist): boolean {
  return TICKET_PARAM in checklist.parameters;
}

export function ticketRequiredIn(checklist: Checklist, environment: string | undefined): boolean {
  const required = checklist.ticket?.required_in;
  return environment !== undefined && (required?.includes(environment) ?? false);
}

/** What the form and the refusals say a ticket looks like. */
export function describeTicket(checklist: Checklist): string {
  const pattern = checklist.ticket?.pattern;
  return pattern ? `a work ticket id matching ${pattern}` : `a work ticket id: ${DEFAULT_TICKET_FORM}`;
}

/** Undefined when the id is acceptable; else the refusal naming the accepted form. */
export function checkTicketId(checklist: Checklist, id: string): string | undefined {
  const pattern = checklist.ticket?.pattern;
  if (id.trim() === "") return `ticket is empty: give ${describeTicket(checklist)}`;
  if (id.length > 200) return "ticket is too long: give the ticket's id, not its text";
  if (pattern !== undefined) {
    const matched = matchesWithin(new RegExp(pattern), id);
    if (matched === "too_slow") return tooSlowToCheck(`ticket=${id}`, pattern);
    return matched
      ? undefined
      : `ticket=${id} is not accepted: ${checklist.id} takes a ticket matching ${pattern}`;
  }
  // A checklist's own `ticket` parameter has its own rules; otherwise the two known forms.
  if (ticketIsParameter(checklist) || parseTicket(id)) return undefined;
  return `ticket=${id} is not accepted: use ${DEFAULT_TICKET_FORM}`;
}

export interface TicketCheck {
  ticket?: string;
  errors: { name: string; message: string }[];
  missing: string[];
}

/**
 * The ticket of a run about to start: checked against the checklist's rule for the
 * environment. `given` are the parameters as typed; `environment` the resolved one.
 */
export function checkTicket(
  checklist: Checklist,
  given: Readonly<Record<string, string>>,
  environment: string | undefined,
): TicketCheck {
  const raw = given[TICKET_PARAM];
  if (raw === undefined) {
    if (!ticketRequiredIn(checklist, environment) || ticketIsParameter(checklist))
      return { errors: [], missing: [] };
    return {
      errors: [
        {
          name: TICKET_PARAM,
          message: `missing ticket: ${environment} runs of ${checklist.id} need ${describeTicket(checklist)} (ticket=<id>)`,
        },
      ],
      missing: [TICKET_PARAM],
    };
  }
  const problem = checkTicketId(checklist, raw);
  return problem
    ? { errors: [{ name: TICKET_PARAM, message: problem }], missing: [] }
    : { ticket: raw, errors: [], missing: [] };
}

/** Ticket rules that need the whole checklist: a valid pattern, environments that exist. */
export function ticketRuleIssues(checklist: Checklist): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const pattern = checklist.ticket?.pattern;
  if (pattern !== undefined) {
    try {
      new RegExp(pattern);
    } catch {
      issues.push({ path: ["ticket", "pattern"], message: `"${pattern}" is not a valid regular expression` });
    }
  }
  const envParam = checklist.rules.environment
    ? checklist.parameters[checklist.rules.environment]
    : undefined;
  const known = envParam?.type === "enum" ? envParam.values : undefined;
  (checklist.ticket?.required_in ?? []).forEach((env, i) => {
    if (known && !known.includes(env))
      issues.push({
        path: ["ticket", "required_in", i],
        message: `"${env}" is not an environment of this checklist: use one of ${known.join(", ")}`,
      });
  });
  return issues;
}
