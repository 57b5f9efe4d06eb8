import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import type { Run, RunEvent } from "../../../src/core/run/run-schema.js";
import { renderRunMessage } from "../../../src/slack/render/run-message.js";
import { minutesAfter, newRun, T0 } from "../../support/checklist-fixtures.js";
import { expectWithinSlackLimits } from "../../support/slack-limits.js";

const ALICE = "U_ALICE";
const BOB = "U_BOB";

const YAML = `
id: render-recovery
title: Render recovery
summary: A decision, a point of no return, a step with a rollback
phases:
  - id: main
    title: Main
    steps:
      - id: page-on
        title: Maintenance page on
        rollback: Switch the page off again.
      - id: go
        title: Go or no-go
        decision: { question: "Ready to <drop> the old table?", options: [continue, abort], decider: buddy }
      - id: drop
        title: Drop the old table
        irreversible: true
`;

function play(events: RunEvent[]): Run {
  return events.reduce(
    (run, event, i) => {
      const decision = applyEvent(run, event, minutesAfter(T0, i + 1));
      if (!decision.accepted) throw new Error(decision.refusal.message);
      return decision.run;
    },
    newRun({}, YAML),
  );
}

const text = (run: Run) => JSON.stringify(renderRunMessage(run, minutesAfter(T0, 30)).blocks);
const actionIds = (run: Run) =>
  renderRunMessage(run, minutesAfter(T0, 30))
    .blocks.flatMap((b) => (b.type === "actions" ? b.elements : []))
    .map((e) => ("action_id" in e ? e.action_id : ""));

describe("the run message when things go wrong or run long", () => {
  it("a decision point shows its question (escaped), its decider and only the options it offers", () => {
    const run = play([{ type: "complete_step", stepId: "page-on", by: ALICE }]);
    expect(text(run)).toContain("Ready to &lt;drop&gt; the old table?");
    expect(text(run)).toContain(`<@${BOB}> decides (continue, abort)`);
    expect(text(run)).toContain("Waiting for a decision");
    expect(actionIds(run)).toEqual(expect.arrayContaining(["decide_continue", "decide_abort"]));
    expect(actionIds(run)).not.toContain("decide_pause");
    expect(actionIds(run)).not.toContain("step_complete");
  });

  it("a point of no return says so before anyone clicks Start", () => {
    const run = play([
      { type: "complete_step", stepId: "page-on", by: ALICE },
      { type: "decide", stepId: "go", option: "continue", reason: "ok", by: BOB },
    ]);
    expect(text(run)).toContain("Point of no return");
    expect(actionIds(run)).toContain("step_start");
  });

  it("paused, rolling back and rolled back show under the title, with Resume and Finish roll back", () => {
    const paused = play([{ type: "pause_run", reason: "waiting for the vendor", by: ALICE }]);
    expect(text(paused)).toContain("⏸️ *Paused*");
    expect(actionIds(paused)).toContain("run_resume");
    expect(actionIds(paused)).not.toContain("step_start");
    const rolling = play([
      { type: "complete_step", stepId: "page-on", by: ALICE },
      { type: "roll_back", reason: "vendor says no", by: BOB },
    ]);
    expect(text(rolling)).toContain("↩️ *Rolling back*");
    expect(text(rolling)).toContain("Undo: Maintenance page on");
    expect(actionIds(rolling)).not.toContain("decide_continue");
    const done = applyEvent(rolling, { type: "complete_step", stepId: "undo-page-on", by: ALICE }, T0);
    if (!done.accepted) throw new Error(done.refusal.message);
    const message = renderRunMessage(done.run, T0);
    expect(JSON.stringify(message.blocks)).toContain("Finish roll back");
    const closed = applyEvent(done.run, { type: "finish", by: ALICE }, T0);
    if (!closed.accepted) throw new Error(closed.refusal.message);
    expect(text(closed.run)).toContain("↩️ *Rolled back*: vendor says no");
    expect(actionIds(closed.run)).toEqual([]);
    expectWithinSlackLimits(renderRunMessage(closed.run, T0));
  });
});
