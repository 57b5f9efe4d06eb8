import { describe, expect, it } from "vitest";
import { compareWithHistory } from "../../../src/core/history/compare.js";
import { earlierRunsOf, stepFigures, usualText, withEarlierRuns } from "../../../src/core/history/figures.js";
import { historyWithRun } from "../../../src/core/history/history-entry.js";
import { stepDurationMs } from "../../../src/core/history/step-duration.js";
import { suggestChanges } from "../../../src/core/history/suggestions.js";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { buildSummary } from "../../../src/core/summary.js";
import { summaryMarkdown } from "../../../src/render/summary-markdown.js";
import { renderRunMessage } from "../../../src/slack/render/run-message.js";
import { summaryMessage } from "../../../src/slack/render/summary-message.js";
import { checklistFromYaml, minutesAfter, newRun } from "../../support/checklist-fixtures.js";
import { ALICE, entriesIn, fiveQaRuns, HISTORY_YAML, playRun } from "../../support/history-runs.js";

const MIN = 60;
const steps = () =>
  checklistFromYaml(HISTORY_YAML).phases.flatMap((phase) =>
    phase.steps.map((s) => ({ id: s.id, title: s.title, ...(s.duration ? { duration: s.duration } : {}) })),
  );

describe("what the history keeps of a run", () => {
  it("records a finished real run once, with its outcome, total, downtime and each step's duration", () => {
    const { entries, run } = playRun({
      id: "run-a",
      start: new Date("2026-11-01T09:00:00Z"),
      flushMinutes: 4,
      warmMinutes: 12,
      problem: "flush timed out once",
    });
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry).toMatchObject({
      runId: "run-a",
      checklistId: "cache-flush",
      env: "qa",
      owner: ALICE,
      outcome: "finished",
      startedAt: run.createdAt,
      closedAt: run.closedAt,
      ticket: null,
      // announce 1+1, flush start 1 + 4, warm start 1 + 12, finish 1 = 21 minutes
      totalSeconds: 21 * MIN,
      // flush start (minute 3) to warm done (minute 20)
      downtimeSeconds: 17 * MIN,
    });
    expect(entry?.steps).toEqual([
      { id: "announce", title: "Announce the window", seconds: 60, skipped: false, problems: 0 },
      {
        id: "flush",
        title: "Flush the cache",
        seconds: 4 * MIN,
        skipped: false,
        problems: 1,
        expected: { min: 2 * MIN, max: 5 * MIN },
      },
      {
        id: "warm",
        title: "Warm the cache",
        seconds: 12 * MIN,
        skipped: false,
        problems: 0,
        expected: { min: 10 * MIN, max: 20 * MIN },
      },
    ]);
  });

  it("records an aborted run, its unfinished steps without a duration", () => {
    const { entries } = playRun({
      id: "run-b",
      start: new Date("2026-11-01T09:00:00Z"),
      flushMinutes: 4,
      warmMinutes: 0,
      abort: true,
      skipAnnounce: true,
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]?.outcome).toBe("aborted");
    expect(entries[0]?.steps.map((s) => [s.id, s.seconds, s.skipped])).toEqual([
      ["announce", undefined, true],
      ["flush", 4 * MIN, false],
      ["warm", undefined, false],
    ]);
  });

  it("keeps dry runs out: a rehearsal asks for no history at all", () => {
    const played = playRun({
      id: "dry",
      start: new Date("2026-11-01T09:00:00Z"),
      flushMinutes: 4,
      warmMinutes: 12,
      dryRun: true,
    });
    expect(played.run.status).toBe("finished");
    expect(played.entries).toEqual([]);
  });

  it("records the run again, newer, when a follow-up asks to change the checklist", () => {
    const { run, entries } = playRun({
      id: "run-c",
      start: new Date("2026-11-01T09:00:00Z"),
      flushMinutes: 4,
      warmMinutes: 12,
    });
    const decision = applyEvent(
      run,
      {
        type: "follow_up_added",
        text: "Change in the checklist: the flush step should name the cluster",
        by: ALICE,
      },
      minutesAfter(new Date(run.closedAt as string), 5),
    );
    if (!decision.accepted) throw new Error(decision.refusal.message);
    const [again] = entriesIn(decision.effects);
    expect(again?.runVersion).toBeGreaterThan(entries[0]?.runVersion as number);
    expect(again?.changeRequests).toEqual([
      expect.objectContaining({ stepId: "flush", text: "the flush step should name the cluster", by: ALICE }),
    ]);
  });

  it("takes the time the run was paused out of a step's duration", () => {
    const step = { startedAt: "2026-11-01T09:00:00.000Z", completedAt: "2026-11-01T10:00:00.000Z" };
    expect(stepDurationMs(step)).toBe(60 * 60_000);
    const paused = [
      { from: Date.parse("2026-11-01T09:10:00Z"), to: Date.parse("2026-11-01T09:30:00Z") },
      // A pause before the step started counts only from its start.
      { from: Date.parse("2026-11-01T08:00:00Z"), to: Date.parse("2026-11-01T09:05:00Z") },
    ];
    expect(stepDurationMs(step, paused)).toBe(35 * 60_000);
    expect(stepDurationMs({ startedAt: step.startedAt, completedAt: step.startedAt })).toBeUndefined();
  });
});

describe("figures across runs", () => {
  const entries = fiveQaRuns().flatMap((played) => played.entries);

  it("gives each step's median, p90, min and max from the durations the runs took; skips count apart", () => {
    const figures = stepFigures(entries);
    expect(figures.map((f) => f.id)).toEqual(["announce", "flush", "warm"]);
    expect(figures[1]).toMatchObject({
      runs: 5,
      min: 3 * MIN,
      p10: 204,
      median: 6 * MIN,
      p90: 492,
      max: 9 * MIN,
      skipped: 0,
    });
    expect(figures[0]).toMatchObject({ runs: 2, skipped: 3 });
  });

  it("says how long a running step usually takes once 3 earlier runs timed it", () => {
    const earlier = earlierRunsOf(entries);
    expect(usualText(earlier, "flush")).toBe("usually 3–9 min (5 earlier runs)");
    // The announcement was timed in only 2 earlier runs.
    expect(usualText(earlier, "announce")).toBeUndefined();
    expect(usualText(earlierRunsOf(entries.slice(0, 2)), "flush")).toBeUndefined();
  });

  it("shows it on the run message while the step runs", () => {
    const start = new Date("2026-11-10T10:00:00Z");
    const fresh = newRun({ id: "next", now: start, params: { env: "qa" } }, HISTORY_YAML);
    let run = withEarlierRuns(fresh, entries);
    for (const [i, event] of [
      { type: "skip_step", stepId: "announce", reason: "email", by: ALICE },
      { type: "start_step", stepId: "flush", by: ALICE },
    ].entries()) {
      const decision = applyEvent(run, event as never, minutesAfter(start, i));
      if (!decision.accepted) throw new Error(decision.refusal.message);
      run = decision.run;
    }
    const drawn = (shown: typeof run) =>
      JSON.stringify(renderRunMessage(shown, minutesAfter(start, 3)).blocks);
    expect(drawn(run)).toContain("usually 3–9 min (5 earlier runs)");
    expect(drawn({ ...run, earlier: undefined })).not.toContain("usually");
  });
});

describe("what a checklist could learn", () => {
  const entries = fiveQaRuns().flatMap((played) => played.entries);

  it("proposes p10–p90 in whole minutes for a step outside its range in most of 5 runs, and a comment for a step skipped 3 runs in a row", () => {
    const learned = suggestChanges(steps(), entries);
    expect(learned.enough).toBe(true);
    expect(learned.suggestions).toEqual([
      { kind: "skipped", stepId: "announce", title: "Announce the window", runs: 3 },
      {
        kind: "range",
        stepId: "flush",
        title: "Flush the cache",
        current: "2m-5m",
        proposed: "3m-9m",
        outside: 3,
        runs: 5,
      },
    ]);
  });

  it("suggests nothing below 5 runs", () => {
    expect(suggestChanges(steps(), entries.slice(0, 4))).toEqual({ runs: 4, enough: false, suggestions: [] });
  });

  it("does not touch a range most runs kept to", () => {
    const kept = suggestChanges(steps(), entries).suggestions.filter((s) => s.stepId === "warm");
    expect(kept).toEqual([]);
  });
});

describe("the post-mortem against earlier runs", () => {
  const earlier = fiveQaRuns().flatMap((played) => played.entries);
  const slow = playRun({
    id: "run-slow",
    start: new Date("2026-11-10T09:00:00Z"),
    flushMinutes: 15,
    warmMinutes: 14,
    skipAnnounce: true,
  });

  it("compares every step with the earlier median and p90 and lists those outside both", () => {
    const comparison = compareWithHistory(slow.run, historyWithRun(slow.run, earlier));
    expect(comparison.earlierRuns).toBe(5);
    const flush = comparison.steps.find((s) => s.id === "flush");
    expect(flush).toMatchObject({
      seconds: 15 * MIN,
      medianSeconds: 6 * MIN,
      p90Seconds: 492,
      outsideRange: true,
      outsideEarlier: true,
    });
    expect(comparison.steps.find((s) => s.id === "warm")).toMatchObject({
      outsideRange: false,
      outsideEarlier: false,
    });
  });

  it("ends the Markdown with what the checklist could learn, this run included", () => {
    const markdown = summaryMarkdown(
      buildSummary({
        run: slow.run,
        pendingReminders: [],
        now: new Date(slow.run.closedAt as string),
        history: historyWithRun(slow.run, earlier),
      }),
    );
    expect(markdown).toContain("## Against earlier runs");
    expect(markdown).toMatch(
      /Outside both the checklist's range and the earlier p90: step 2 "Flush the cache" \(15m, earlier p90 8m/,
    );
    const learn = markdown.slice(markdown.indexOf("## What this checklist could learn"));
    expect(learn).toContain("`duration: 3m-12m`");
    expect(learn).toContain("skipped in each of the last 4 runs");
    // It is the last section.
    expect(learn.match(/^## /gm)).toHaveLength(1);
  });

  it("says so when there is nothing earlier to compare with or to learn from", () => {
    const first = playRun({
      id: "first",
      start: new Date("2026-11-01T09:00:00Z"),
      flushMinutes: 3,
      warmMinutes: 12,
    });
    const markdown = summaryMarkdown(
      buildSummary({
        run: first.run,
        pendingReminders: [],
        now: new Date(first.run.closedAt as string),
        history: historyWithRun(first.run, []),
      }),
    );
    expect(markdown).toContain("No earlier runs of this checklist in qa to compare with.");
    expect(markdown).toContain("Not enough runs to learn from yet: 1 of the 5 needed.");
  });
});

describe("the post-mortem message in Slack", () => {
  it("lists the steps slower than both their range and earlier runs", () => {
    const earlier = fiveQaRuns().flatMap((played) => played.entries);
    const slow = playRun({
      id: "slow",
      start: new Date("2026-11-10T09:00:00Z"),
      flushMinutes: 15,
      warmMinutes: 14,
    });
    const summary = buildSummary({
      run: slow.run,
      pendingReminders: [],
      now: new Date(slow.run.closedAt as string),
      history: historyWithRun(slow.run, earlier),
    });
    const text = JSON.stringify(summaryMessage(summary, { runId: "slow", followUpButton: true }).blocks);
    expect(text).toContain("Slower than its range and than earlier runs (1)");
    expect(text).toContain("*2. Flush the cache*: took 15m; 5 earlier runs: median 6m, p90 8m");
  });
});
