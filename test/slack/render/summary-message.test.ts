import type { KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import type { RunEvent, ScheduledReminder } from "../../../src/core/run/run-schema.js";
import { buildSummary, needsFollowUps, type Summary } from "../../../src/core/summary.js";
import { markdownText } from "../../../src/render/people-text.js";
import { summaryMarkdown } from "../../../src/render/summary-markdown.js";
import { summaryMessage } from "../../../src/slack/render/summary-message.js";
import { minutesAfter, newRun, T0 } from "../../support/checklist-fixtures.js";
import { expectWithinSlackLimits, onlyButtons } from "../../support/slack-limits.js";
import {
  ALICE,
  abortedRunInput,
  BOB,
  CAROL,
  finishedRunInput,
  playTimed,
  type Timed,
} from "../../support/summary-fixtures.js";

const sectionTexts = (blocks: KnownBlock[]) =>
  blocks.flatMap((block) => (block.type === "section" && block.text ? [block.text.text] : []));
const buttons = (blocks: KnownBlock[]) =>
  blocks.flatMap((block) => (block.type === "actions" ? onlyButtons(block.elements) : []));

function messageOf(summary: Summary, runId = "run-1") {
  return summaryMessage(summary, { runId, followUpButton: needsFollowUps(summary) });
}

describe("the summary message of the aborted upgrade", () => {
  const message = messageOf(buildSummary(abortedRunInput()));
  const texts = sectionTexts(message.blocks);

  it("leads with the outcome and the headline figures", () => {
    expect(message.blocks[0]).toMatchObject({
      type: "header",
      text: { text: "Post-mortem: Orders database upgrade (prod)" },
    });
    expect(texts[0]).toBe(
      [
        "🛑 *Aborted* by <@U_ALICE>: Checkout errors after the upgrade; restoring from snap-1 in a new run",
        "*Total:* 1h 04m ⚠️ (the steps' expected maxima add up to 49m)",
        "*Downtime:* ⚠️ 32m, planned 11m–29m",
        "*Steps:* 5 done · 1 skipped · 0 failed · 2 not finished (of 8)",
        "*Problems:* 2 (1 still open) · *Notes:* 3",
      ].join("\n"),
    );
    expect(message.text).toBe(
      "Post-mortem of Orders database upgrade (prod): aborted after 1h 04m, 3 overruns, 1 skipped, 2 problems",
    );
  });

  it("shows only the exceptions: overruns, skips, problems and pending reminders", () => {
    expect(texts.slice(1)).toEqual([
      [
        "*⏱️ Overruns (3)*",
        "• *2. Snapshot orders-prod*: took 15m, expected 5m–10m",
        "• *4. Upgrade orders-prod to MySQL 8.0*: took 26m, expected 10m–20m",
        "• *7. Smoke-test checkout*: took at least 10m, expected up to 5m (not finished)",
      ].join("\n"),
      "*⏭️ Skipped (1)*\n• *5. Warm the cache (`curl -s /warm | jq .status`)* (<@U_BOB>): The cache warms itself under traffic",
      [
        "*🚩 Problems (2)*",
        "• 🚩 *Open:* Checkout returns 500 for some EU customers (step 7) — <@U_CAROL>",
        "• ✅ Replica lag above 30s (step 4) — resolved by <@U_BOB>: Lag recovered once the upgrade finished",
      ].join("\n"),
      [
        "*⏰ Reminders still pending (2)*",
        "• <!date^1795773840^{date_short_pretty} {time}|2026-11-27T10:04:00.000Z> in <#C_OPS>: Reschedule the orders database upgrade",
        "• <!date^1797758340^{date_short_pretty} {time}|2026-12-20T09:19:00.000Z> in <#C_OPS>: Delete snapshot snap-1",
      ].join("\n"),
    ]);
    expect(texts.join("\n")).not.toContain("Announce the window");
  });

  it("asks for follow-ups with a button that carries the run id", () => {
    expect(buttons(message.blocks)).toEqual([
      expect.objectContaining({
        action_id: "summary_follow_up",
        value: JSON.stringify({ r: "run-1" }),
        text: expect.objectContaining({ text: "Add follow-ups" }),
      }),
    ]);
    expectWithinSlackLimits(message);
  });

  it("lists a failed automated step", () => {
    const input = abortedRunInput();
    const steps = input.run.steps.map((step) =>
      step.id === "notify"
        ? { ...step, status: "failed" as const, failure: "DBInstanceNotFound: orders-prod" }
        : step,
    );
    const texts = sectionTexts(messageOf(buildSummary({ ...input, run: { ...input.run, steps } })).blocks);
    expect(texts).toContain("*❌ Failures (1)*\n• *8. Tell the business*: DBInstanceNotFound: orders-prod");
  });
});

describe("the summary message of an upgrade that went to plan", () => {
  it("has no exceptions and no follow-up button", () => {
    const summary = buildSummary(finishedRunInput());
    const message = messageOf(summary);
    expect(sectionTexts(message.blocks)).toEqual([
      [
        "✅ *Finished* by <@U_ALICE>",
        "*Total:* 34m (the steps' expected maxima add up to 49m)",
        "*Downtime:* 19m, planned 11m–29m",
        "*Steps:* 8 done · 0 skipped · 0 failed (of 8)",
        "*Problems:* 0 · *Notes:* 0",
      ].join("\n"),
      "No exceptions: nothing overran, was skipped, failed or went wrong.",
      expect.stringContaining("*⏰ Reminders still pending (1)*"),
    ]);
    expect(buttons(message.blocks)).toEqual([]);
    expectWithinSlackLimits(message);
  });
});

const STEPS = 300;
const NOTES = 1_000;

/** 300 steps in 10 phases, each expected to take 1m–2m; the downtime spans them all. */
function bigChecklist(): string {
  const phases = Array.from({ length: 10 }, (_, p) => {
    const steps = Array.from({ length: STEPS / 10 }, (_, s) => {
      const n = p * (STEPS / 10) + s + 1;
      const downtime = n === 1 ? "\n        downtime: start" : n === STEPS ? "\n        downtime: end" : "";
      return `      - id: s${n}\n        title: "${stepTitle(n)}"\n        duration: 1m-2m${downtime}`;
    });
    return `  - id: p${p + 1}\n    title: Phase ${p + 1}\n    steps:\n${steps.join("\n")}`;
  });
  return `id: big\ntitle: A very large maintenance\nsummary: Three hundred steps\nphases:\n${phases.join("\n")}\n`;
}

const stepTitle = (n: number) => `Step ${n}: rotate the credentials of service-${n} and check its dashboards`;
const noteText = (i: number) =>
  `Note ${String(i).padStart(4, "0")}: "latency" & <errors> looked normal on service-${i % STEPS}, "see" the dashboard`;

/** Every third step skipped with a long reason, every other step overran; 1,000 notes, 40 problems. */
function bigRunInput() {
  const events: Timed[] = [];
  let minute = 0;
  const at = (event: RunEvent) => events.push([++minute, event]);
  for (let n = 1; n <= STEPS; n++) {
    if (n % 3 === 0) {
      const reason = `Not needed: service-${n} was retired last quarter and its "dashboards" are archived. ${"x".repeat(400)}`;
      at({ type: "skip_step", stepId: `s${n}`, reason, by: BOB });
      continue;
    }
    at({ type: "start_step", stepId: `s${n}`, by: ALICE });
    minute += 2;
    at({ type: "complete_step", stepId: `s${n}`, by: ALICE });
  }
  for (let i = 1; i <= NOTES; i++) {
    const source = i % 2 === 0 ? "thread" : "button";
    at({
      type: "add_note",
      text: noteText(i),
      source,
      by: CAROL,
      ...(source === "button" ? { stepId: `s${(i % STEPS) + 1}` } : {}),
    });
  }
  for (let i = 1; i <= 40; i++)
    at({ type: "report_problem", text: `"Problem" ${i}: ${"<&>".repeat(600)}`, by: CAROL });
  for (let i = 1; i <= 20; i++)
    at({ type: "resolve_problem", problemId: `p${i}`, resolution: `Fixed ${i}`, by: BOB });
  at({ type: "abort", reason: `"Out of time": ${"&".repeat(2_000)}`, by: ALICE });
  const { run } = playTimed(newRun({}, bigChecklist()), events);
  const pendingReminders: ScheduledReminder[] = Array.from({ length: 60 }, (_, i) => ({
    key: `run-1.r${i}.0`,
    runId: "run-1",
    reminderId: `r${i}`,
    occurrence: 0,
    dueAt: minutesAfter(T0, 10_000 + i).toISOString(),
    channel: "C_OPS",
    text: `Reminder ${i}: ${'check the "dashboards" '.repeat(20)}`,
    keepOnAbort: true,
  }));
  const followUps = Array.from({ length: 30 }, (_, i) => ({
    at: minutesAfter(T0, 5_000 + i).toISOString(),
    by: ALICE,
    text: `Follow-up ${i}`,
  }));
  return { run: { ...run, followUps }, pendingReminders, now: minutesAfter(T0, 20_000) };
}

describe("the summary of a run with 300 steps and 1,000 notes", () => {
  const summary = buildSummary(bigRunInput());
  const message = messageOf(summary, "run-1");

  it("fits one Slack message and points to the Markdown file for the rest", () => {
    expect(summary.steps.filter((step) => step.overran)).toHaveLength(200);
    expect(summary.skipped).toHaveLength(100);
    expectWithinSlackLimits(message);
    const text = sectionTexts(message.blocks).join("\n");
    expect(text).toContain("*⏱️ Overruns (200)*");
    expect(text).toMatch(/…and 19\d more in the Markdown file/);
    expect(text).toContain("*Problems:* 40 (20 still open) · *Notes:* 1000");
    expect(buttons(message.blocks).map((b) => b.action_id)).toEqual(["summary_follow_up"]);
    // Open problems come first: they are what the reader must act on.
    expect(text).toContain('*🚩 Problems (40)*\n• 🚩 *Open:* "Problem" 21: &lt;&amp;&gt;');
  });

  it("still fits when every text is as long as allowed and JSON has to escape all of it", () => {
    const quotes = '"'.repeat(3_000);
    const worst: Summary = {
      ...summary,
      abortReason: quotes,
      checklist: { ...summary.checklist, title: quotes.slice(0, 150) },
      steps: summary.steps.map((step) => ({ ...step, title: quotes.slice(0, 150), failure: quotes })),
      skipped: summary.skipped.map((skip) => ({ ...skip, reason: quotes })),
      problems: summary.problems.map((problem) => ({ ...problem, text: quotes })),
      pendingReminders: summary.pendingReminders.map((reminder) => ({ ...reminder, text: quotes })),
    };
    const message = messageOf(worst);
    expectWithinSlackLimits(message);
    // The lists got shorter than the usual five items to make room.
    const bullets = (text: string) => text.split("\n").filter((line) => line.startsWith("• ")).length;
    expect(Math.max(...sectionTexts(message.blocks).slice(1).map(bullets))).toBeLessThan(5);
    expect(sectionTexts(message.blocks).join("\n")).toMatch(/…and \d+ more in the Markdown file/);
  });

  it("while the Markdown has every step and every note", () => {
    const markdown = summaryMarkdown(summary);
    for (let n = 1; n <= STEPS; n++) expect(markdown).toContain(`| ${n} | ${stepTitle(n)}`);
    for (let i = 1; i <= NOTES; i++) expect(markdown).toContain(markdownText(noteText(i)));
    for (let i = 0; i < 30; i++) expect(markdown).toContain(`: ${markdownText(`Follow-up ${i}`)}\n`);
  });
});
