import type { CheckReport } from "./checks/check-report.js";
import { type DurationRange, parseDurationRange } from "./duration.js";
import { compareWithHistory } from "./history/compare.js";
import type { HistoryEntry } from "./history/history-schema.js";
import { pausedMsBetween } from "./run/paused-time.js";
import { PREFLIGHT_USER, type Run, type ScheduledReminder, type StepState } from "./run/run-schema.js";
import { planSteps } from "./run/step-rules.js";
import { peopleChanges } from "./summary-people.js";
import { recoverySummary } from "./summary-recovery.js";
import type { AfterRunRecord, DowntimeSummary, StepRef, StepSummary, Summary } from "./summary-types.js";

export type * from "./summary-types.js";

/**
 * The post-mortem of a run as data: what happened, how long it took against the plan, and what
 * is still to do. Pure: the run (with what was recorded around it: reminders handled, follow-ups,
 * failed posts) and the pending reminders come in, `now` measures what has not ended. The Markdown file and the Slack message are both drawn from this.
 */

export interface SummaryInput {
  run: Run;
  pendingReminders: readonly ScheduledReminder[];
  now: Date;
  /**
   * The kept runs of the checklist in the run's environment (history-entry.ts `historyWithRun`):
   * the post-mortem then compares the run with the earlier ones and says what the checklist could learn.
   */
  history?: readonly HistoryEntry[];
  /** Each follow-up issue's state in the tracker, by the follow-up's index (asked on request). */
  followUpStates?: Readonly<Record<number, "open" | "closed">>;
}

/** Oldest first; entries at the same time keep their order (sort is stable). */
const byTime = <T extends { at: string }>(items: T[]): T[] => items.sort((a, b) => compareIso(a.at, b.at));

function compareIso(a: string, b: string): number {
  return Date.parse(a) - Date.parse(b);
}

export function buildSummary(input: SummaryInput): Summary {
  const { run, now } = input;
  const endMs = run.closedAt ? Date.parse(run.closedAt) : now.getTime();
  const steps = stepSummaries(run, endMs);
  const refs = new Map(steps.map((step) => [step.id, { number: step.number, title: step.title }]));
  const closer = run.history.findLast(
    (entry) => entry.type === "finish" || entry.type === "abort" || entry.type === "decide",
  );
  return {
    runId: run.id,
    outcome: run.status,
    ...(run.abortReason !== undefined ? { abortReason: run.abortReason } : {}),
    ...(run.status !== "active" && closer ? { closedBy: closer.by } : {}),
    dryRun: run.dryRun,
    ...(run.override ? { override: { ...run.override } } : {}),
    startedAt: run.createdAt,
    ...(run.closedAt !== undefined ? { endedAt: run.closedAt } : {}),
    totalMs: Math.max(0, endMs - Date.parse(run.createdAt)),
    generatedAt: now.toISOString(),
    owner: run.owner,
    ...(run.buddy !== undefined ? { buddy: run.buddy } : {}),
    ...(run.environment !== undefined ? { environment: run.environment } : {}),
    checklist: { id: run.plan.id, title: run.plan.title, version: { ...run.source } },
    params: { ...run.params },
    expected: sumExpected(steps),
    counts: {
      total: steps.length,
      done: steps.filter((s) => s.status === "done").length,
      skipped: steps.filter((s) => s.status === "skipped").length,
      failed: steps.filter((s) => s.status === "failed").length,
      unfinished: steps.filter((s) => !["done", "skipped", "failed", "not_applicable"].includes(s.status))
        .length,
    },
    downtime: downtimeOf(run, steps, endMs),
    steps,
    skipped: steps
      .filter((step) => step.status === "skipped")
      .map((step) => ({
        number: step.number,
        title: step.title,
        by: step.skippedBy,
        at: step.skippedAt,
        reason: step.skipReason ?? "",
      })),
    problems: run.problems.map((problem) => ({
      id: problem.id,
      ...(problem.stepId && refs.has(problem.stepId) ? { step: refs.get(problem.stepId) } : {}),
      text: problem.text,
      reportedBy: problem.reportedBy,
      reportedAt: problem.reportedAt,
      ...(problem.resolvedAt !== undefined
        ? {
            resolved: {
              by: problem.resolvedBy ?? "",
              at: problem.resolvedAt,
              resolution: problem.resolution ?? "",
            },
          }
        : {}),
    })),
    notes: byTime(
      run.notes.map((note) => ({
        at: note.at,
        by: note.by,
        text: note.text,
        source: note.source,
        ...(note.stepId && refs.has(note.stepId) ? { step: refs.get(note.stepId) } : {}),
        ...(note.files ? { files: note.files } : {}),
        ...(note.permalink ? { permalink: note.permalink } : {}),
      })),
    ),
    people: peopleChanges(run, refs),
    results: steps
      .filter((step) => Object.keys(step.results).length > 0 || checkOf(run, step.id).check)
      .map((step) => ({
        number: step.number,
        title: step.title,
        results: Object.entries(step.results).map(([key, value]) => ({ key, value })),
        ...checkOf(run, step.id),
      })),
    pendingReminders: [...input.pendingReminders]
      .sort((a, b) => compareIso(a.dueAt, b.dueAt))
      .map((reminder) => ({ dueAt: reminder.dueAt, channel: reminder.channel, text: reminder.text })),
    followUps: byTime(run.followUps.map((followUp, index) => withIssue(run, { ...followUp }, index, input))),
    afterRun: byTime(afterRunRecords(run)),
    ...(input.history ? { history: compareWithHistory(run, input.history) } : {}),
    ...recoverySummary(run, steps, endMs),
    ...(run.ticket ? { ticket: { id: run.ticket, ...(run.ticketUrl ? { url: run.ticketUrl } : {}) } } : {}),
    ...(run.tracker?.postMortem ? { postMortemIssue: { ...run.tracker.postMortem } } : {}),
  };
}

/** Reminders handled, snapshots deleted from them and posts that failed, as the run recorded them. */
function afterRunRecords(run: Run): AfterRunRecord[] {
  const records: AfterRunRecord[] = [];
  for (const reminder of Object.values(run.reminders)) {
    const { handled, snapshotDeleted, deletionRequested } = reminder;
    if (handled?.outcome === "done")
      records.push({
        at: handled.at,
        by: handled.by,
        kind: "reminder_done",
        detail: `${reminder.key}: done`,
      });
    if (handled?.outcome === "snoozed")
      records.push({
        at: handled.at,
        by: handled.by,
        kind: "reminder_snoozed",
        detail: `${reminder.key}: snoozed until ${handled.until ?? "later"}`,
      });
    const snapshot =
      reminder.action?.type === "rds.delete_snapshot" ? reminder.action.snapshot : reminder.key;
    if (deletionRequested)
      records.push({
        at: deletionRequested.at,
        by: deletionRequested.by,
        kind: "deletion_requested",
        detail: `${snapshot} deletion asked for from the reminder`,
      });
    if (snapshotDeleted)
      records.push({
        at: snapshotDeleted.at,
        by: snapshotDeleted.by,
        kind: "snapshot_deleted",
        detail: `${snapshotDeleted.snapshot} deleted from the reminder${deletionRequested ? `, asked for by ${deletionRequested.by}` : ""}`,
      });
  }
  for (const failure of run.postFailures) {
    records.push({
      at: failure.at,
      by: PREFLIGHT_USER,
      kind: "post_failed",
      detail: `${failure.what} could not be posted: ${failure.error}`,
    });
  }
  return records;
}

/** Aborted or rolled back, a problem reported, or anything that took longer than planned: worth writing down what to change. */
export function needsFollowUps(summary: Summary): boolean {
  return (
    summary.outcome === "aborted" ||
    summary.outcome === "rolled_back" ||
    summary.problems.length > 0 ||
    summary.steps.some((step) => step.overran) ||
    (summary.downtime?.overran ?? false)
  );
}

function stepSummaries(run: Run, endMs: number): StepSummary[] {
  const planned = planSteps(run);
  const phaseTitles = new Map(run.plan.phases.map((phase) => [phase.id, phase.title]));
  return run.steps.flatMap((state, index) => {
    const entry = planned[index];
    if (!entry) return [];
    const { plan, phaseId } = entry;
    const expected = plan.duration ? parseDurationRange(plan.duration) : undefined;
    const { durationMs, open } = measure(run, state, endMs);
    const summary: StepSummary = {
      id: state.id,
      number: index + 1,
      phase: phaseTitles.get(phaseId) ?? phaseId,
      title: plan.title,
      status: state.status,
      downtime: plan.downtime,
      startedAt: state.startedAt,
      startedBy: state.startedBy,
      completedAt: state.completedAt,
      completedBy: state.completedBy,
      verifiedBy: state.verifiedBy,
      approvedBy: state.approvedBy,
      skippedAt: state.skippedAt,
      skippedBy: state.skippedBy,
      durationMs,
      durationOpen: open,
      expected,
      overran: expected !== undefined && durationMs !== undefined && durationMs > expected.maxMs,
      skipReason: state.skipReason,
      failure: state.failure,
      results: { ...state.results },
      ...(state.manual ? { manual: { ...state.manual } } : {}),
      ...(run.rollback && phaseId === run.rollback.phaseId ? { rollback: true } : {}),
    };
    return [summary];
  });
}

/**
 * How long a step took: to its completion, else to its failure or skip, else (still open) to the
 * run's end. Nothing for a step never started or done in one click.
 */
function measure(run: Run, state: StepState, endMs: number): { durationMs?: number; open: boolean } {
  // Marked done without a start: the engine records one time for both, so it was not timed.
  if (state.startedAt === undefined || state.startedAt === state.completedAt) return { open: false };
  const start = Date.parse(state.startedAt);
  const failedAt =
    state.status === "failed"
      ? run.history.findLast((a) => a.type === "action_failed" && a.stepId === state.id)?.at
      : undefined;
  const stop = state.completedAt ?? (state.status === "skipped" ? state.skippedAt : undefined) ?? failedAt;
  // Paused time never counts against a step (paused-time.ts).
  if (stop !== undefined) {
    const stopMs = Date.parse(stop);
    return { durationMs: Math.max(0, stopMs - start - pausedMsBetween(run, start, stopMs)), open: false };
  }
  return { durationMs: Math.max(0, endMs - start - pausedMsBetween(run, start, endMs)), open: true };
}

function sumExpected(steps: readonly StepSummary[]): DurationRange & { unestimatedSteps: number } {
  return {
    minMs: steps.reduce((sum, step) => sum + (step.expected?.minMs ?? 0), 0),
    maxMs: steps.reduce((sum, step) => sum + (step.expected?.maxMs ?? 0), 0),
    unestimatedSteps: steps.filter((step) => step.expected === undefined).length,
  };
}

function downtimeOf(run: Run, steps: readonly StepSummary[], endMs: number): DowntimeSummary | undefined {
  const startIndex = steps.findIndex((step) => step.downtime === "start");
  const start = steps[startIndex];
  if (!start) return undefined;
  const endIndex = steps.findIndex((step, i) => i > startIndex && step.downtime === "end");
  const end = endIndex < 0 ? undefined : steps[endIndex];
  const window = steps.slice(startIndex, end ? endIndex + 1 : steps.length);
  const expected = sumExpected(window);
  const plan = { ...expected, steps: window.length };
  const ref = (step: StepSummary): StepRef => ({ number: step.number, title: step.title });
  const startedAt = start.startedAt ?? start.completedAt;
  const base = { startStep: ref(start), ...(end ? { endStep: ref(end) } : {}), planned: plan };
  if (startedAt === undefined) return { ...base, openEnded: false, overran: false };
  // Without a step that ends it, the downtime lasts until the run ends.
  const endedAt = end ? end.completedAt : run.closedAt;
  const actualMs = Math.max(0, (endedAt ? Date.parse(endedAt) : endMs) - Date.parse(startedAt));
  const estimated = plan.steps > plan.unestimatedSteps;
  return {
    ...base,
    startedAt,
    ...(endedAt ? { endedAt } : {}),
    openEnded: endedAt === undefined,
    actualMs,
    overran: estimated && actualMs > plan.maxMs,
  };
}

/** The check report kept on a step, for the post-mortem's result tables. */
function checkOf(run: Run, stepId: string): { check?: CheckReport } {
  const check = run.steps.find((state) => state.id === stepId)?.check;
  return check ? { check } : {};
}

/** A follow-up with its tracker issue (and state, when the caller asked the tracker). */
function withIssue<T extends object>(run: Run, followUp: T, index: number, input: SummaryInput): T {
  const issue = run.tracker?.followUps[String(index)];
  if (!issue) return followUp;
  const state = input.followUpStates?.[index];
  return { ...followUp, issue: { ...issue, ...(state ? { state } : {}) } };
}
