import { formatDuration } from "../core/duration.js";
import { newestFirst, stepFigures } from "../core/history/figures.js";
import type { HistoryEntry } from "../core/history/history-schema.js";

/**
 * `preflight history` as data and as text. The JSON is a contract others build on (issue 18):
 * `{ checklist, env, runs: [{ id, started_at, env, owner, outcome, total_seconds,
 * downtime_seconds, ticket }], steps: [{ id, title, runs, median_seconds, p90_seconds,
 * min_seconds, max_seconds, skipped, problems }] }`. Runs newest first; steps in the newest run's
 * order. A step's figures are Start to Done, paused time excluded; skips count only in `skipped`.
 */

export interface HistoryJson {
  checklist: string;
  env: string | null;
  runs: {
    id: string;
    started_at: string;
    env: string | null;
    owner: string;
    outcome: string;
    total_seconds: number;
    downtime_seconds: number | null;
    ticket: string | null;
  }[];
  steps: {
    id: string;
    title: string;
    runs: number;
    median_seconds: number | null;
    p90_seconds: number | null;
    min_seconds: number | null;
    max_seconds: number | null;
    skipped: number;
    problems: number;
  }[];
}

export function historyJson(
  checklist: string,
  env: string | null,
  entries: readonly HistoryEntry[],
): HistoryJson {
  return {
    checklist,
    env,
    runs: newestFirst(entries).map((entry) => ({
      id: entry.runId,
      started_at: entry.startedAt,
      env: entry.env,
      owner: entry.owner,
      outcome: entry.outcome,
      total_seconds: entry.totalSeconds,
      downtime_seconds: entry.downtimeSeconds,
      ticket: entry.ticket,
    })),
    steps: stepFigures(entries).map((step) => ({
      id: step.id,
      title: step.title,
      runs: step.runs,
      median_seconds: step.median ?? null,
      p90_seconds: step.p90 ?? null,
      min_seconds: step.min ?? null,
      max_seconds: step.max ?? null,
      skipped: step.skipped,
      problems: step.problems,
    })),
  };
}

/** Two plain-text tables: the runs, then the steps. */
export function historyTable(json: HistoryJson): string {
  const where = json.env ? ` in ${json.env}` : "";
  const runs = table(
    ["started (UTC)", "env", "owner", "outcome", "total", "downtime", "ticket"],
    json.runs.map((run) => [
      `${run.started_at.slice(0, 10)} ${run.started_at.slice(11, 16)}`,
      run.env ?? "-",
      run.owner,
      run.outcome,
      formatDuration(run.total_seconds * 1000),
      run.downtime_seconds === null ? "-" : formatDuration(run.downtime_seconds * 1000),
      run.ticket ?? "-",
    ]),
  );
  const steps = table(
    ["step", "title", "runs", "median", "p90", "min", "max", "skipped", "problems"],
    json.steps.map((step) => [
      step.id,
      step.title,
      String(step.runs),
      time(step.median_seconds),
      time(step.p90_seconds),
      time(step.min_seconds),
      time(step.max_seconds),
      String(step.skipped),
      String(step.problems),
    ]),
    [false, false, true, true, true, true, true, true, true],
  );
  const count = `${json.runs.length} run${json.runs.length === 1 ? "" : "s"}`;
  return [
    `${json.checklist}${where}: ${count}, newest first`,
    "",
    runs,
    "",
    "Steps (Start to Done)",
    "",
    steps,
  ].join("\n");
}

function time(seconds: number | null): string {
  return seconds === null ? "-" : formatDuration(seconds * 1000);
}

function table(head: string[], rows: string[][], right: boolean[] = []): string {
  const clean = rows.map((row) => row.map((cell) => cell.replace(/\s+/g, " ").trim()));
  const widths = head.map((title, i) => Math.max(title.length, ...clean.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (right[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...clean.map(line)].join("\n");
}
