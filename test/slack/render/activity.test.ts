import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import type { Activity, Run, RunEvent } from "../../../src/core/run/run-schema.js";
import { renderActivity } from "../../../src/slack/render/activity.js";
import { minutesAfter, newRun, T0 } from "../../support/checklist-fixtures.js";

const ALICE = "U_ALICE";
const BOB = "U_BOB";

/** Plays events one minute apart (or at the given minute) and returns the run with its last activity line. */
function lines(events: (RunEvent | [number, RunEvent])[], run: Run = newRun()): string[] {
  const out: string[] = [];
  events.reduce((current, entry, i) => {
    const [minute, event] = Array.isArray(entry) ? entry : [i + 1, entry];
    const decision = applyEvent(current, event, minutesAfter(T0, minute));
    if (!decision.accepted) throw new Error(`${event.type} refused: ${decision.refusal.message}`);
    out.push(renderActivity(decision.run.history.at(-1) as Activity, decision.run));
    return decision.run;
  }, run);
  return out;
}

describe("renderActivity", () => {
  it("says who started the run, and where", () => {
    const run = newRun({ dryRun: true });
    expect(renderActivity(run.history[0] as Activity, run)).toBe(
      "🚀 <@U_ALICE> started *Rules demo* in qa (dry run: automated actions are not executed)",
    );
  });

  it("tells starting, completing with the time taken, and an overrun", () => {
    expect(
      lines([
        [0, { type: "complete_step", stepId: "announce", by: ALICE }],
        [1, { type: "start_step", stepId: "snapshot", by: ALICE }],
        [8, { type: "complete_step", stepId: "snapshot", by: ALICE }],
      ]),
    ).toEqual([
      "✅ <@U_ALICE> completed *Announce the window*",
      "▶️ <@U_ALICE> started *Take snapshot demo-qa-2026-11-20*",
      "✅ <@U_ALICE> completed *Take snapshot demo-qa-2026-11-20* (7m)",
    ]);
    const late = lines([
      [0, { type: "complete_step", stepId: "announce", by: ALICE }],
      [1, { type: "start_step", stepId: "snapshot", by: ALICE }],
      [32, { type: "complete_step", stepId: "snapshot", by: ALICE }],
    ]);
    expect(late.at(-1)).toBe(
      "✅ <@U_ALICE> completed *Take snapshot demo-qa-2026-11-20* (⚠️ 31m, expected 5m–10m)",
    );
  });

  it("tells a completion that waits for a teammate, and the verification", () => {
    const out = lines([
      { type: "complete_step", stepId: "announce", by: ALICE },
      { type: "complete_step", stepId: "snapshot", by: ALICE },
      { type: "complete_step", stepId: "change", by: ALICE },
      { type: "verify_step", stepId: "change", by: BOB },
    ]);
    expect(out.slice(2)).toEqual([
      "🟡 <@U_ALICE> completed *Apply the change* — waiting for a teammate to verify",
      "👥 <@U_BOB> verified *Apply the change*",
    ]);
  });

  it("tells skips, problems, notes, hand-overs with their text, escaped", () => {
    const out = lines([
      { type: "skip_step", stepId: "announce", reason: "announced <yesterday> & today", by: ALICE },
      { type: "report_problem", stepId: "snapshot", text: "quota exceeded", by: BOB },
      { type: "resolve_problem", problemId: "p1", resolution: "raised the quota", by: BOB },
      { type: "report_problem", text: "pager is noisy", by: BOB },
      { type: "add_note", stepId: "snapshot", text: "took longer than usual", source: "button", by: ALICE },
      { type: "add_note", text: "coffee break", source: "button", by: ALICE },
      { type: "hand_over", to: "U_CAROL", by: ALICE },
    ]);
    expect(out).toEqual([
      "⏭️ <@U_ALICE> skipped *Announce the window*: announced &lt;yesterday&gt; &amp; today",
      "🚩 <@U_BOB> reported a problem on *Take snapshot demo-qa-2026-11-20*: quota exceeded",
      "☑️ <@U_BOB> resolved a problem on *Take snapshot demo-qa-2026-11-20*: raised the quota",
      "🚩 <@U_BOB> reported a problem: pager is noisy",
      "📝 <@U_ALICE> on *Take snapshot demo-qa-2026-11-20*: took longer than usual",
      "📝 <@U_ALICE>: coffee break",
      "🔁 <@U_ALICE> handed the run to <@U_CAROL>",
    ]);
  });

  it("tells the end of the run", () => {
    expect(lines([[45, { type: "abort", reason: "replica lag too high", by: ALICE }]])).toEqual([
      "🛑 <@U_ALICE> aborted the run: replica lag too high",
    ]);
    const finish: Activity = { at: minutesAfter(T0, 65).toISOString(), by: BOB, type: "finish" };
    expect(renderActivity(finish, newRun())).toBe("🏁 <@U_BOB> finished the run after 1h 05m");
  });

  it("falls back to a plain line for an activity it doesn't know", () => {
    const activity: Activity = {
      at: T0.toISOString(),
      by: BOB,
      type: "reminder_snoozed",
      stepId: "snapshot",
      detail: "Throttling",
    };
    expect(renderActivity(activity, newRun())).toBe(
      "• <@U_BOB> reminder snoozed on *Take snapshot demo-qa-2026-11-20*: Throttling",
    );
  });
});
