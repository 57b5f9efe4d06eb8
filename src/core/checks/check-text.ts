import type { Check } from "../checklist/check-schema.js";
import type { CheckReport } from "./check-report.js";
import { connectionVariable } from "./connections.js";

/** How checks read: in the plan, in a dry run, and as result tables (Slack and Markdown). */

function expectations(check: Check): string[] {
  return Object.entries(check.expect).flatMap(([key, value]) =>
    value !== null && typeof value === "object"
      ? Object.entries(value).map(([k, v]) => `${key === "header" ? "header " : ""}${k} = ${v}`)
      : [`${key.replace("_", " ")} ${value}`],
  );
}

function oneLine(text: string, max = 300): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** One line naming what a check does, with its resolved parameters. */
export function describeCheck(check: Check): string {
  const expected = expectations(check);
  const expecting = expected.length > 0 ? `, expecting ${expected.join(", ")}` : "";
  if (check.type === "http.check")
    return `${check.method} ${check.url}${expecting}${check.attempts > 1 ? ` (up to ${check.attempts} attempts)` : ""}`;
  const record = check.record === undefined ? [] : [check.record].flat();
  return `run \`${oneLine(check.query, 200)}\` on ${check.connection} (read-only)${expecting}${record.length > 0 ? `; records ${record.join(", ")}` : ""}`;
}

/** What a dry run lists instead of checking. */
export function plannedCheck(check: Check): string[] {
  if (check.type === "http.check") {
    const expected = expectations(check);
    return [
      `${check.method} ${check.url} within ${check.timeout}${check.attempts > 1 ? `, ${check.attempts} attempts` : ""}${expected.length > 0 ? `, expecting ${expected.join(", ")}` : ""}`,
    ];
  }
  return [
    `connect to ${check.connection} through ${connectionVariable(check.connection)} (read-only session, timeout ${check.timeout})`,
    `run ${oneLine(check.query, 200)}${expectations(check).length > 0 ? `, expecting ${expectations(check).join(", ")}` : ""}`,
  ];
}

const CELL_CHARS = 30;

/**
 * The result as a small fixed-width table for a code block: at most `maxRows` rows and
 * `maxChars` characters, saying how many rows were left out (the Markdown has them).
 */
export function resultTableText(report: CheckReport, maxRows = 8, maxChars = 1_000): string {
  if (report.columns.length === 0) return "";
  const cell = (value: string) => oneLine(value, CELL_CHARS).replace(/`/g, "\u02CB");
  const rows = report.rows.slice(0, maxRows).map((row) => row.map(cell));
  const header = report.columns.map(cell);
  const widths = header.map((name, i) => Math.max(name.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join(" | ")
      .trimEnd();
  const lines = [line(header), widths.map((w) => "-".repeat(w)).join("-+-")];
  let text = lines.join("\n");
  let shown = 0;
  for (const row of rows) {
    const next = `${text}\n${line(row)}`;
    if (next.length > maxChars - 40) break;
    text = next;
    shown++;
  }
  const left = report.rowCount - shown;
  if (report.rowCount === 0) text += "\n(no rows)";
  else if (left > 0) text += `\n… ${left} more row${left === 1 ? "" : "s"} (all in the run's Markdown)`;
  return text;
}

/** The whole kept result as a Markdown table. */
export function resultTableMarkdown(report: CheckReport): string[] {
  if (report.columns.length === 0) return [];
  const cell = (value: string) => value.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
  const lines = [
    `| ${report.columns.map(cell).join(" | ")} |`,
    `| ${report.columns.map(() => "---").join(" | ")} |`,
    ...report.rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ];
  if (report.rowCount > report.rows.length)
    lines.push("", `(${report.rowCount} rows returned; the first ${report.rows.length} are kept)`);
  return lines;
}
