/** A closed run as the history keeps it (history-schema.ts), and how its step durations are measured. */

import type { Run } from "../run/run-schema.js";
import { buildSummary } from "../summary.js";
import { changeRequestsOf } from "./change-requests.js";
import type { HistoryEntry, HistoryStep } from "./history-schema.js";
import { measuredSteps, pausedIntervals } from "./step-duration.js";

/** Whether a run enters the history: closed, and real (a dry run is a rehearsal). */
export function entersHistory(run: Run): boolean {
  return (
    !run.dryRun &&
    run.closedAt !== undefined &&
    (run.status === "finished" || run.status === "aborted" || run.status === "rolled_back")
  );
}

/** The ticket of a run, when it has one (issue 18's `ticket=`; a string or an object with an id). */
export function ticketOf(run: Run): string | null {
  const ticket = (run as { ticket?: unknown }).ticket;
  if (typeof ticket === "string" && ticket !== "") return ticket;
  if (ticket && typeof ticket === "object") {
    const id = (ticket as { id?: unknown; key?: unknown }).id ?? (ticket as { key?: unknown }).key;
    if (typeof id === "string" && id !== "") return id;
  }
  return null;
}

const toSeconds = (ms: number) => Math.round(ms / 1000);

/** The history entry of a closed run; undefined for a run that does not enter the history. */
export function historyEntryOf(run: Run): HistoryEntry | undefined {
  if (!entersHistory(run) || run.closedAt === undefined) return undefined;
  const endMs = Date.parse(run.closedAt);
  const paused = pausedIntervals(run, endMs);
  const summary = buildSummary({ run, pendingReminders: [], now: new Date(endMs) });
  const steps = measuredSteps(run, paused).map(
    ({ state, plan, ms, range }): HistoryStep => ({
      id: state.id,
      title: plan.title,
      ...(ms !== undefined ? { seconds: toSeconds(ms) } : {}),
      skipped: state.status === "skipped",
      problems: run.problems.filter((problem) => problem.stepId === state.id).length,
      ...(range ? { expected: { min: toSeconds(range.minMs), max: toSeconds(range.maxMs) } } : {}),
    }),
  );
  const downtime = summary.downtime?.actualMs;
  return {
    runId: run.id,
    runVersion: run.version,
    checklistId: run.plan.id,
    env: run.environment ?? null,
    startedAt: run.createdAt,
    closedAt: run.closedAt,
    owner: run.owner,
    outcome: run.status,
    totalSeconds: toSeconds(summary.totalMs),
    downtimeSeconds: downtime === undefined ? null : toSeconds(downtime),
    ticket: ticketOf(run),
    steps,
    changeRequests: changeRequestsOf(run),
  };
}

/**
 * The history a run's post-mortem is drawn against: the stored entries, with this run's own entry
 * in place of any stored one (it may not be recorded yet when the post-mortem is posted).
 */
export function historyWithRun(run: Run, stored: readonly HistoryEntry[]): HistoryEntry[] {
  const own = historyEntryOf(run);
  return [...stored.filter((entry) => entry.runId !== run.id), ...(own ? [own] : [])];
}
