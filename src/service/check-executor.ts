import type { Check, HttpCheck, SqlCheck } from "../core/checklist/check-schema.js";
import { CheckError, type HttpProbe, type SqlRunner } from "../core/checks/check-ports.js";
import { boundedRows, type CheckReport } from "../core/checks/check-report.js";
import { plannedCheck } from "../core/checks/check-text.js";
import { describeConnection, resolveConnection } from "../core/checks/connections.js";
import {
  bodyStart,
  failureLine,
  httpOutcomes,
  type Outcome,
  recordedColumns,
  sqlOutcomes,
} from "../core/checks/expectations.js";
import { validateReadOnlyStatement } from "../core/checks/sql-statement.js";
import { formatDuration, parseDuration } from "../core/duration.js";

/**
 * Runs a step's check (http.check, sql.check) and says what came of it. Checks only read, so a
 * job run twice after a crash does no harm. A dry run lists what it would check and runs nothing.
 */

export interface CheckExecutorDeps {
  http: HttpProbe;
  sql: SqlRunner;
  /** The bot's environment, where PREFLIGHT_DB_<NAME>_URL are looked up. */
  databaseUrls: Readonly<Record<string, string | undefined>>;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** The first wait between http.check attempts; it doubles each time. */
  backoffMs?: number;
}

export type CheckOutcome =
  | { ok: true; results: Record<string, string>; check?: CheckReport }
  | { ok: false; error: string; results?: Record<string, string>; check?: CheckReport };

export function createCheckExecutor(deps: CheckExecutorDeps) {
  async function run(
    check: Check,
    dryRun: boolean,
    progress: (status: string) => Promise<void>,
  ): Promise<CheckOutcome> {
    if (dryRun) {
      const planned = plannedCheck(check);
      // A rehearsal says now what the real run would stumble on: a connection not configured.
      if (check.type === "sql.check") {
        const lookup = resolveConnection(check.connection, deps.databaseUrls);
        if (!lookup.ok) planned.push(`(${lookup.message})`);
      }
      await progress(`dry run: would check ${planned.join(" → ")}`);
      return { ok: true, results: { dry_run: "true", checks: planned.join(" → ") } };
    }
    return check.type === "http.check" ? httpCheck(check, progress) : sqlCheck(check, progress);
  }

  async function sqlCheck(
    check: SqlCheck,
    progress: (status: string) => Promise<void>,
  ): Promise<CheckOutcome> {
    const statement = validateReadOnlyStatement(check.query);
    if (!statement.ok) return { ok: false, error: `the query was not run: ${statement.message}` };
    const lookup = resolveConnection(check.connection, deps.databaseUrls);
    if (!lookup.ok) return { ok: false, error: lookup.message };
    const { connection } = lookup;
    const timeoutMs = parseDuration(check.timeout) ?? 30_000;
    const started = deps.now().getTime();
    await progress(`querying ${describeConnection(connection)}`);
    let result: Awaited<ReturnType<SqlRunner["query"]>>;
    try {
      result = await deps.sql.query(connection, statement.statement, timeoutMs);
    } catch (error) {
      return { ok: false, error: `${check.connection}: ${errorLine(error)}` };
    }
    const took = formatDuration(deps.now().getTime() - started);
    const outcomes = sqlOutcomes(check.expect, result);
    const recorded = recordedColumns(check.record, result);
    if (recorded.missing.length > 0)
      outcomes.push({
        ok: false,
        text: `nothing to record as ${recorded.missing.join(", ")}: the first row has no such column (columns: ${result.columns.join(", ") || "none"})`,
      });
    const report: CheckReport = {
      kind: "sql",
      target: `${describeConnection(connection)}: ${statement.statement.replace(/\s+/g, " ").slice(0, 300)}`,
      ...boundedRows(result.columns, result.rows),
      outcomes,
      took,
    };
    const results = { ...recorded.values, rows: String(result.rows.length), took };
    return finish(outcomes, results, report);
  }

  async function httpCheck(
    check: HttpCheck,
    progress: (status: string) => Promise<void>,
  ): Promise<CheckOutcome> {
    const timeoutMs = parseDuration(check.timeout) ?? 10_000;
    let wait = deps.backoffMs ?? 1_000;
    let last: CheckOutcome = { ok: false, error: "not tried" };
    for (let attempt = 1; attempt <= check.attempts; attempt++) {
      if (check.attempts > 1)
        await progress(`${check.method} ${check.url}: attempt ${attempt} of ${check.attempts}`);
      last = await httpAttempt(check, timeoutMs);
      if (last.ok) return last;
      if (attempt < check.attempts) {
        await deps.sleep(wait);
        wait *= 2;
      }
    }
    if (check.attempts > 1 && !last.ok)
      return { ...last, error: `${last.error} (after ${check.attempts} attempts)` };
    return last;
  }

  async function httpAttempt(check: HttpCheck, timeoutMs: number): Promise<CheckOutcome> {
    const started = deps.now().getTime();
    try {
      const answer = await deps.http.request(check.url, check.method, timeoutMs);
      const took = formatDuration(deps.now().getTime() - started);
      const outcomes = httpOutcomes(check.expect, answer);
      const report: CheckReport = {
        kind: "http",
        target: `${check.method} ${check.url}`,
        columns: [],
        rows: [],
        rowCount: 0,
        outcomes,
        took,
      };
      const matched = outcomes.filter((o) => o.ok).map((o) => o.text);
      const results: Record<string, string> = {
        status: String(answer.status),
        took,
        ...(matched.length > 0 ? { matched: matched.join("; ") } : {}),
      };
      if (outcomes.some((o) => !o.ok)) results.body_start = bodyStart(answer.body);
      return finish(outcomes, results, report);
    } catch (error) {
      return { ok: false, error: `${check.method} ${check.url}: ${errorLine(error)}` };
    }
  }

  return { run };
}

function finish(outcomes: Outcome[], results: Record<string, string>, check: CheckReport): CheckOutcome {
  const failed = failureLine(outcomes);
  return failed === "" ? { ok: true, results, check } : { ok: false, error: failed, results, check };
}

/** One plain line: the adapter's words for what it caught, never a stack trace. */
function errorLine(error: unknown): string {
  if (error instanceof CheckError) return error.message;
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}
