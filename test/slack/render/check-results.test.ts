import { describe, expect, it } from "vitest";
import type { CheckReport } from "../../../src/core/checks/check-report.js";
import { boundedRows } from "../../../src/core/checks/check-report.js";
import { PREFLIGHT_USER } from "../../../src/core/run/run-schema.js";
import { buildSummary } from "../../../src/core/summary.js";
import { summaryMarkdown } from "../../../src/render/summary-markdown.js";
import { renderRunMessage } from "../../../src/slack/render/run-message.js";
import { newRun, T0 } from "../../support/checklist-fixtures.js";
import { play } from "../../support/run-play.js";
import { expectWithinSlackLimits } from "../../support/slack-limits.js";

const YAML = `
id: big-check
title: Big check
summary: A check whose result is far larger than a message
phases:
  - id: only
    title: Only
    steps:
      - id: tables
        title: Tables per schema
        action: { type: sql.check, connection: db, query: "SELECT table_schema, COUNT(*) FROM information_schema.tables GROUP BY 1", expect: { rows: 3 } }
`;

/** 500 rows of 30 columns of 1,000 characters: what a careless query returns. */
function hugeReport(): CheckReport {
  const columns = Array.from({ length: 30 }, (_, c) => `column_${c}_<b>&`);
  const rows = Array.from({ length: 500 }, (_, r) =>
    columns.map((_, c) => `${r}:${c}:${"`<x>&".repeat(200)}`),
  );
  return {
    kind: "sql",
    target: "mysql db: SELECT …",
    ...boundedRows(columns, rows),
    outcomes: [{ ok: false, text: `rows: expected 3, found 500 ${"<!channel>".repeat(50)}` }],
  };
}

describe("a check's result on the run message", () => {
  it("stays within Slack's limits however large the result, escaped, and the post-mortem keeps the kept rows", () => {
    const check = hugeReport();
    expect(check.rows).toHaveLength(50);
    const run = play(newRun({}, YAML), [
      { type: "start_step", stepId: "tables", by: "U_ALICE" },
      {
        type: "action_failed",
        stepId: "tables",
        error: "rows: expected 3, found 500",
        check,
        by: PREFLIGHT_USER,
      },
    ]);
    const message = renderRunMessage(run, T0);
    expectWithinSlackLimits(message);
    const json = JSON.stringify(message.blocks);
    expect(json).toContain("rows: expected 3, found 500");
    expect(json).not.toContain("<!channel>");
    expect(json).not.toContain("<x>");
    const markdown = summaryMarkdown(buildSummary({ run, now: T0, pendingReminders: [] }));
    expect(markdown).toContain("(500 rows returned; the first 50 are kept)");
    expect(markdown.split("\n").filter((line) => line.startsWith("  | 49:"))).toHaveLength(1);
  });
});
