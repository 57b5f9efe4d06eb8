import type { CheckReport } from "../../core/checks/check-report.js";
import { resultTableText } from "../../core/checks/check-text.js";
import { escapeMrkdwn, truncate } from "./mrkdwn.js";

/** What a check saw, on its step: each expectation, then a small result table (the Markdown has all). */

const OUTCOME_CHARS = 300;
const OUTCOMES_SHOWN = 4;
const TABLE_ROWS = 6;
const TABLE_CHARS = 700;

export function checkReportText(report: CheckReport): string {
  const lines = report.outcomes
    .slice(0, OUTCOMES_SHOWN)
    .map((outcome) => `${outcome.ok ? "✔︎" : "✘"} ${truncate(escapeMrkdwn(outcome.text), OUTCOME_CHARS)}`);
  if (report.outcomes.length > OUTCOMES_SHOWN)
    lines.push(`…and ${report.outcomes.length - OUTCOMES_SHOWN} more`);
  const table = resultTableText(report, TABLE_ROWS, TABLE_CHARS);
  if (table) lines.push(`\`\`\`\n${escapeMrkdwn(table)}\n\`\`\``);
  return lines.join("\n");
}
