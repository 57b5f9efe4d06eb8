import type { Checklist } from "../checklist/schema.js";
import { formatDuration, parseDuration } from "../duration.js";
import type { Run } from "./run-schema.js";

/**
 * The environment gate ("QA before PROD"): an environment with `requires_completed` starts only
 * after a finished, real (not dry) run of the same checklist version, with the `same:` parameters
 * equal, that finished within `within:` (default 30 days). Pure: prior runs and `now` come in.
 */

/** A finished or aborted run of the past, as far as the gate needs it (stored when the run closes). */
export interface PriorRun {
  checklistId: string;
  status: Run["status"];
  environment?: string;
  params: Record<string, string>;
  /** Missing in summaries stored before rehearsals were told apart: such a run never counts. */
  dryRun?: boolean;
  /** The checklist's content hash the run followed (`run.source.hash`). */
  hash?: string;
  closedAt?: string;
}

export const DEFAULT_GATE_WITHIN = "30d";

export type GateResult = { ok: true } | { ok: false; message: string };

export interface GateInput {
  checklist: Checklist;
  environment: string | undefined;
  params: Readonly<Record<string, string>>;
  /** The version this run would follow. */
  hash: string;
  priorRuns: readonly PriorRun[];
  now: Date;
}

export function checkGate(input: GateInput): GateResult {
  const { checklist, environment, params, hash, now } = input;
  if (environment === undefined) return { ok: true };
  const rule = checklist.rules.environments?.[environment];
  const required = rule?.requires_completed;
  if (!rule || !required) return { ok: true };
  const same = rule.same ?? [];
  const within = rule.within ?? DEFAULT_GATE_WITHIN;
  const withinMs = parseDuration(within) ?? 0;
  const candidates = input.priorRuns
    .filter(
      (prior) =>
        prior.checklistId === checklist.id &&
        prior.environment !== undefined &&
        required.includes(prior.environment),
    )
    .sort((a, b) => Math.sign(closedMs(b) - closedMs(a)) || 0);
  const problemsOf = (prior: PriorRun) => gaps(prior, { params, same, hash, now, withinMs });
  if (candidates.some((prior) => problemsOf(prior).length === 0)) return { ok: true };

  const envs = required.join(" or ");
  const sameText = same.length > 0 ? ` with the same ${same.join(", ")}` : "";
  const need = `${environment} needs a finished ${envs} run of ${checklist.id} version ${hash}${sameText} within ${formatWithin(within)}`;
  const last = candidates[0];
  const found = last
    ? `the last ${last.environment} run ${problemsOf(last).join(" and ")}`
    : `there is no ${envs} run of ${checklist.id} yet`;
  return {
    ok: false,
    message: `${need}; ${found}. Run it in ${envs} first, then start ${environment}. In an emergency, start it with override="reason": a teammate must approve it, and it is announced and listed first in the post-mortem.`,
  };
}

interface Expectation {
  params: Readonly<Record<string, string>>;
  same: readonly string[];
  hash: string;
  now: Date;
  withinMs: number;
}

/** What keeps a prior run from meeting the gate, in words; empty when it meets it. */
function gaps(prior: PriorRun, expected: Expectation): string[] {
  const found: string[] = [];
  if (prior.status !== "finished") found.push(`was ${prior.status}, not finished`);
  if (prior.dryRun !== false) found.push("was a dry run");
  if (prior.hash !== expected.hash)
    found.push(`used another version (${prior.hash ?? "unknown"}, not ${expected.hash})`);
  // Names only: values are parameters people typed, and this text reaches Slack.
  const differing = expected.same.filter((name) => prior.params[name] !== expected.params[name]);
  if (differing.length > 0) found.push(`had another ${differing.join(", ")}`);
  const closed = closedMs(prior);
  if (!Number.isFinite(closed)) found.push("has no recorded end time");
  else if (expected.now.getTime() - closed > expected.withinMs)
    found.push(`finished ${ago(expected.now.getTime() - closed)} ago`);
  return found;
}

/** Unknown end times sort last and never count. */
function closedMs(prior: PriorRun): number {
  const ms = prior.closedAt === undefined ? Number.NaN : Date.parse(prior.closedAt);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/** `41 days`, or the usual duration below two days. */
function ago(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  return days >= 2 ? `${days} days` : formatDuration(ms);
}

/** `30d` → `30 days`, `12h` → `12 hours`; anything else as written. */
function formatWithin(within: string): string {
  const match = /^(\d+)([smhdw])$/.exec(within);
  if (!match) return within;
  const units = { s: "second", m: "minute", h: "hour", d: "day", w: "week" } as const;
  const unit = units[match[2] as keyof typeof units];
  return `${match[1]} ${unit}${match[1] === "1" ? "" : "s"}`;
}
