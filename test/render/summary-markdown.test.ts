import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildSummary, needsFollowUps } from "../../src/core/summary.js";
import { summaryMarkdown } from "../../src/render/summary-markdown.js";
import { minutesAfter, newRun, T0 } from "../support/checklist-fixtures.js";
import {
  ABORTED_EVENTS,
  abortedRunInput,
  finishedRunInput,
  playTimed,
  UPGRADE_YAML,
} from "../support/summary-fixtures.js";

const GOLDEN = new URL("../fixtures/summary/aborted-run.md", import.meta.url);

/** The lines of a `## section`, up to the next one. */
function sectionOf(markdown: string, title: string): string {
  const start = markdown.indexOf(`## ${title}\n`);
  if (start < 0) throw new Error(`no section "${title}"`);
  const end = markdown.indexOf("\n## ", start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

describe("the post-mortem Markdown", () => {
  it("of the aborted upgrade matches the reviewed golden file", () => {
    const markdown = summaryMarkdown(buildSummary(abortedRunInput()));
    expect(markdown).toBe(readFileSync(GOLDEN, "utf8"));
  });

  it("has every section a post-mortem page needs, in order", () => {
    const markdown = summaryMarkdown(buildSummary(abortedRunInput()));
    const headings = markdown.split("\n").filter((line) => line.startsWith("#"));
    expect(headings).toEqual([
      "# Post-mortem: Orders database upgrade (prod)",
      "## Downtime",
      "## Timeline",
      "## Skipped",
      "## Problems",
      "## Notes",
      "## Automated results",
      "## Reminders still pending",
      "## Follow-ups",
      "## After the run",
    ]);
  });

  it("keeps every table row to its columns: `|` in a cell is escaped", () => {
    const timeline = sectionOf(summaryMarkdown(buildSummary(abortedRunInput())), "Timeline");
    const rows = timeline.split("\n").filter((line) => line.startsWith("|"));
    const columns = (row: string) => row.split(/(?<!\\)\|/).length;
    expect(new Set(rows.map(columns)).size).toBe(1);
    // A step title is escaped as text (it can carry a parameter's value): its backticks show as
    // typed, and its `|` stays in its cell.
    expect(timeline).toContain("| 5 | Warm the cache (\\`curl -s /warm \\| jq .status\\`) | skipped |");
  });

  it("calls out overruns in the timeline and the downtime", () => {
    const markdown = summaryMarkdown(buildSummary(abortedRunInput()));
    expect(sectionOf(markdown, "Downtime")).toContain("⚠️ **Overran the plan by 3m.**");
    const snapshotRow = markdown.split("\n").find((line) => line.startsWith("| 2 |"));
    expect(snapshotRow).toBe(
      "| 2 | Snapshot orders-prod | done | <@U_ALICE> |  | 09:04 | 15m | 5m–10m | ⚠️ +5m |",
    );
  });

  it("of an upgrade that went to plan: nothing to call out, nothing to follow up yet", () => {
    const summary = buildSummary(finishedRunInput());
    expect(needsFollowUps(summary)).toBe(false);
    const markdown = summaryMarkdown(summary);
    expect(markdown).toContain("| Outcome | ✅ Finished by <@U_ALICE> |");
    expect(markdown).toContain("| Checklist version | hash `test` (not in a git checkout) |");
    expect(markdown).not.toContain("⚠️");
    expect(sectionOf(markdown, "Downtime")).toContain("- **Actual:** 19m, 2026-11-20 09:09 UTC → 09:28 UTC");
    expect(sectionOf(markdown, "Skipped")).toContain("No step was skipped.");
    expect(sectionOf(markdown, "Problems")).toContain("None reported.");
    expect(sectionOf(markdown, "Follow-ups")).toContain("None recorded yet.");
    expect(sectionOf(markdown, "After the run")).toContain("Nothing recorded yet.");
    expect(sectionOf(markdown, "Reminders still pending")).toContain(
      // Reminder texts carry parameters and results: escaped as text.
      // A dash inside the text reads as typed.
      "- 2026-12-20 09:08 UTC in <#C_OPS>: Delete snapshot snap-2",
    );
    const input = finishedRunInput();
    const marked = input.pendingReminders.map((reminder) => ({
      ...reminder,
      text: "Delete snapshot snap-2_old *now*, see [x](https://evil.example)",
    }));
    expect(
      sectionOf(
        summaryMarkdown(buildSummary({ ...input, pendingReminders: marked })),
        "Reminders still pending",
      ),
    ).toContain(
      "- 2026-12-20 09:08 UTC in <#C_OPS>: Delete snapshot snap-2\\_old \\*now\\*, see \\[x\\](https:\u200b//evil.example)",
    );
  });

  it("of a run still in progress says so, and that the downtime has not ended", () => {
    const { run } = playTimed(newRun({}, UPGRADE_YAML), ABORTED_EVENTS.slice(0, 8));
    const markdown = summaryMarkdown(buildSummary({ run, pendingReminders: [], now: minutesAfter(T0, 40) }));
    expect(markdown).toContain("| Outcome | ⏳ Still in progress |");
    expect(markdown).toContain("| Ended | not yet |");
    expect(markdown).toContain("| Total | 40m so far");
    expect(sectionOf(markdown, "Downtime")).toContain(
      '**Actual:** at least 19m, from 2026-11-20 09:21 UTC; **not ended**: step 6 "Turn the maintenance page off" was not done.',
    );
    expect(markdown).toContain(
      "| 4 | Upgrade orders-prod to MySQL 8.0 | in progress | <@U_ALICE>, approved by <@U_BOB> |",
    );
  });
});
