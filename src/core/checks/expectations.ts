import { matchesWithin } from "../bounded-match.js";
import type { HttpCheck, SqlExpect } from "../checklist/check-schema.js";
import type { HttpAnswer, SqlResult } from "./check-ports.js";

/**
 * Whether what a check saw is what the checklist expects. Pure: each expectation becomes one
 * outcome that says what was expected and what was found, so a failed step shows both numbers.
 */

export interface Outcome {
  ok: boolean;
  text: string;
}

export const BODY_SHOWN_CHARS = 200;

const unresolved = (value: string) => /\{\{.*\}\}/.test(value);

function notYetRecorded(what: string, expected: string): Outcome {
  return {
    ok: false,
    text: `${what}: expected ${expected}, which is not known yet (the step that records it has not run, or did not record it)`,
  };
}

/** Text compared as text, numbers as numbers (`12` equals `12.0`). */
export function sameValue(found: string, expected: string | number): boolean {
  const wanted = String(expected);
  if (found === wanted) return true;
  const a = Number(found);
  const b = Number(wanted);
  return found.trim() !== "" && wanted.trim() !== "" && Number.isFinite(a) && Number.isFinite(b) && a === b;
}

function compareValue(what: string, found: string | undefined, expected: string | number): Outcome {
  const wanted = String(expected);
  if (unresolved(wanted)) return notYetRecorded(what, wanted);
  if (found === undefined) return { ok: false, text: `${what}: expected ${wanted}, found no rows` };
  return sameValue(found, expected)
    ? { ok: true, text: `${what} is ${found}` }
    : { ok: false, text: `${what}: expected ${wanted}, found ${found}` };
}

function compareCount(
  what: "rows" | "at least" | "at most",
  count: number,
  expected: string | number,
): Outcome {
  const wanted = String(expected);
  if (unresolved(wanted)) return notYetRecorded(`${what} rows`, wanted);
  const n = Number(wanted);
  if (!Number.isInteger(n)) return { ok: false, text: `${what} rows: ${wanted} is not a whole number` };
  const ok = what === "rows" ? count === n : what === "at least" ? count >= n : count <= n;
  const label = what === "rows" ? "rows" : `${what} ${n} rows`;
  return ok
    ? { ok: true, text: `${count} rows${what === "rows" ? "" : ` (${label})`}` }
    : { ok: false, text: `${label}: expected ${what === "rows" ? n : `${what} ${n}`}, found ${count}` };
}

/** A pattern tested within a time limit (bounded-match.ts): one that backtracks without end fails the check. */
function matched(re: RegExp, text: string, pattern: string, words: { ok: string; not: string }): Outcome {
  const result = matchesWithin(re, text);
  if (result === "too_slow")
    return {
      ok: false,
      text: `${pattern} takes too long on what was read (it backtracks without end): simplify it`,
    };
  return result ? { ok: true, text: words.ok } : { ok: false, text: words.not };
}

function regex(pattern: string): RegExp | string {
  try {
    return new RegExp(pattern);
  } catch (error) {
    return `${pattern} is not a regular expression (${error instanceof Error ? error.message : String(error)})`;
  }
}

export function sqlOutcomes(expect: SqlExpect, result: SqlResult): Outcome[] {
  const outcomes: Outcome[] = [];
  const first = result.rows[0];
  const value = first?.[0];
  if (expect.equals !== undefined) outcomes.push(compareValue("value", value, expect.equals));
  if (expect.matches !== undefined) {
    const re = regex(expect.matches);
    if (typeof re === "string") outcomes.push({ ok: false, text: re });
    else if (value === undefined)
      outcomes.push({ ok: false, text: `value: expected to match ${expect.matches}, found no rows` });
    else
      outcomes.push(
        matched(re, value, expect.matches, {
          ok: `value matches ${expect.matches}`,
          not: `value: expected to match ${expect.matches}, found ${value}`,
        }),
      );
  }
  if (expect.rows !== undefined) outcomes.push(compareCount("rows", result.rows.length, expect.rows));
  if (expect.at_least !== undefined)
    outcomes.push(compareCount("at least", result.rows.length, expect.at_least));
  if (expect.at_most !== undefined)
    outcomes.push(compareCount("at most", result.rows.length, expect.at_most));
  for (const [column, expected] of Object.entries(expect.columns ?? {})) {
    const index = result.columns.indexOf(column);
    if (index === -1) {
      outcomes.push({
        ok: false,
        text: `${column}: not a column of the result (it has ${result.columns.join(", ") || "none"})`,
      });
      continue;
    }
    outcomes.push(compareValue(column, first?.[index], expected));
  }
  return outcomes;
}

/** The columns of the first row a check records, as `{{steps.<id>.<column>}}` values. */
export function recordedColumns(
  record: string | readonly string[] | undefined,
  result: SqlResult,
): { values: Record<string, string>; missing: string[] } {
  const names = record === undefined ? [] : typeof record === "string" ? [record] : [...record];
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const index = result.columns.indexOf(name);
    const value = index === -1 ? undefined : result.rows[0]?.[index];
    if (value === undefined) missing.push(name);
    else values[name] = value;
  }
  return { values, missing };
}

export function httpOutcomes(expect: HttpCheck["expect"], answer: HttpAnswer): Outcome[] {
  const outcomes: Outcome[] = [];
  if (expect.status !== undefined) {
    outcomes.push(compareValue("status", String(answer.status), expect.status));
  } else {
    outcomes.push(
      answer.status < 400
        ? { ok: true, text: `status ${answer.status}` }
        : { ok: false, text: `status: expected below 400, found ${answer.status}` },
    );
  }
  const start = bodyStart(answer.body);
  if (expect.body_contains !== undefined) {
    const wanted = expect.body_contains;
    outcomes.push(
      answer.body.toLowerCase().includes(wanted.toLowerCase())
        ? { ok: true, text: `body contains "${wanted}"` }
        : { ok: false, text: `body does not contain "${wanted}"; it starts: ${start}` },
    );
  }
  if (expect.body_matches !== undefined) {
    const re = regex(expect.body_matches);
    if (typeof re === "string") outcomes.push({ ok: false, text: re });
    else
      outcomes.push(
        matched(re, answer.body, expect.body_matches, {
          ok: `body matches ${expect.body_matches}`,
          not: `body does not match ${expect.body_matches}; it starts: ${start}`,
        }),
      );
  }
  for (const [name, wanted] of Object.entries(expect.header ?? {})) {
    const found = answer.headers[name.toLowerCase()];
    if (found === undefined) outcomes.push({ ok: false, text: `header ${name}: missing` });
    else if (!found.toLowerCase().includes(wanted.toLowerCase()))
      outcomes.push({ ok: false, text: `header ${name}: expected ${wanted}, found ${found}` });
    else outcomes.push({ ok: true, text: `header ${name}: ${found}` });
  }
  return outcomes;
}

/** The first characters of a body, on one line: what a person needs to see what came back. */
export function bodyStart(body: string): string {
  const line = body.replace(/\s+/g, " ").trim();
  if (line === "") return "(empty body)";
  return line.length > BODY_SHOWN_CHARS ? `${line.slice(0, BODY_SHOWN_CHARS)}…` : line;
}

/** One line for a failed step: every expectation that failed. */
export function failureLine(outcomes: readonly Outcome[]): string {
  return outcomes
    .filter((outcome) => !outcome.ok)
    .map((outcome) => outcome.text)
    .join("; ");
}
