import { validateReadOnlyStatement } from "../checks/sql-statement.js";
import type { Step } from "./schema.js";

/**
 * Rules on automated checks that need more than their shape: a sql.check query must be one
 * read-only statement already when the checklist is loaded (it is checked again once its
 * templates are filled in), and a step records values either by hand or by its check, not both.
 */
export function checkIssues(
  step: Step,
  path: (string | number)[],
): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const action = step.action;
  if (action?.type === "sql.check") {
    const verdict = validateReadOnlyStatement(action.query);
    if (!verdict.ok) issues.push({ path: [...path, "action", "query"], message: verdict.message });
  }
  if (step.record !== undefined && action !== undefined) {
    issues.push({
      path: [...path, "record"],
      message:
        "an automated step records what its action returns (sql.check: action.record); record: asks a person, on manual steps only",
    });
  }
  return issues;
}
