import type { KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { applyEvent, type Decision } from "../../../src/core/run/apply-event.js";
import { createRun } from "../../../src/core/run/create-run.js";
import type { Run, RunEvent } from "../../../src/core/run/run-schema.js";
import { buildSummary } from "../../../src/core/summary.js";
import { summaryMarkdown } from "../../../src/render/summary-markdown.js";
import { renderActivity } from "../../../src/slack/render/activity.js";
import { renderRunMessage } from "../../../src/slack/render/run-message.js";
import { summaryMessage } from "../../../src/slack/render/summary-message.js";
import {
  checklistFromYaml,
  minutesAfter,
  RULES_CHECKLIST_YAML,
  T0,
} from "../../support/checklist-fixtures.js";

const ALICE = "U_ALICE";
const BOB = "U_BOB";
const REASON = "QA is down for a week & the CVE fix <can't> wait";

function startProd(override?: string) {
  return createRun({
    id: "run-1",
    checklist: checklistFromYaml(RULES_CHECKLIST_YAML),
    source: { hash: "v1" },
    params: { env: "prod" },
    channel: "C_OPS",
    owner: ALICE,
    buddy: BOB,
    now: T0,
    priorRuns: [],
    ...(override !== undefined ? { override } : {}),
  });
}
function waiting(): Run {
  const result = startProd(REASON);
  if (!result.ok) throw new Error(result.refusal.message);
  return result.run;
}
const refusal = (decision: Decision) => (decision.accepted ? undefined : decision.refusal);
const approve = (by: string): RunEvent => ({ type: "approve_override", by });
function approved(): Run {
  const decision = applyEvent(waiting(), approve(BOB), minutesAfter(T0, 2));
  if (!decision.accepted) throw new Error(decision.refusal.message);
  return decision.run;
}
const texts = (blocks: KnownBlock[]) => JSON.stringify(blocks);

describe("the break-glass override of the prod gate", () => {
  it("creates the run waiting for approval, with no reminder scheduled yet", () => {
    const result = startProd(REASON);
    expect(result).toMatchObject({
      ok: true,
      run: {
        status: "awaiting_override",
        override: {
          reason: REASON,
          requestedBy: ALICE,
          gate: expect.stringContaining("prod needs a finished qa run"),
        },
      },
    });
    expect(result.ok && result.effects.map((e) => e.type)).toEqual(["refresh_run_message"]);
  });

  it("needs a reason", () => {
    expect(startProd("   ")).toMatchObject({ ok: false, refusal: { code: "reason_required" } });
  });

  it("allows nothing but approval or abort while it waits", () => {
    const run = waiting();
    expect(refusal(applyEvent(run, { type: "start_step", stepId: "announce", by: ALICE }, T0))).toMatchObject(
      {
        code: "wrong_state",
        message: expect.stringContaining("waits for a teammate to approve the override"),
      },
    );
    expect(
      refusal(applyEvent(run, { type: "add_note", text: "hi", source: "button", by: BOB }, T0)),
    ).toMatchObject({
      code: "wrong_state",
    });
    const aborted = applyEvent(run, { type: "abort", reason: "qa is back", by: ALICE }, T0);
    expect(aborted).toMatchObject({ accepted: true, run: { status: "aborted" } });
  });

  it("needs a second person: the starter can't approve it", () => {
    expect(refusal(applyEvent(waiting(), approve(ALICE), T0))).toMatchObject({
      code: "self_approval",
      message: expect.stringContaining("a second person must approve"),
    });
  });

  it("starts the run once someone else approves, logged and announced in the thread", () => {
    const decision = applyEvent(waiting(), approve(BOB), minutesAfter(T0, 2));
    expect(decision).toMatchObject({
      accepted: true,
      run: { status: "active", override: { approvedBy: BOB, approvedAt: minutesAfter(T0, 2).toISOString() } },
    });
    const run = approved();
    const entry = run.history.at(-1);
    expect(entry).toMatchObject({ type: "approve_override", by: BOB, detail: REASON });
    expect(renderActivity(entry as Run["history"][number], run)).toBe(
      "⚠️ Started past the prod gate by <@U_ALICE>: QA is down for a week &amp; the CVE fix &lt;can't&gt; wait — approved by <@U_BOB>",
    );
    expect(applyEvent(run, approve(BOB), T0)).toMatchObject({ accepted: false });
    expect(applyEvent(run, { type: "start_step", stepId: "announce", by: ALICE }, T0).accepted).toBe(true);
  });

  it("is marked on the run message: Approve while it waits, the approval while the run lasts", () => {
    const before = renderRunMessage(waiting(), T0);
    expect(texts(before.blocks)).toContain(
      "⚠️ *Started past the prod gate* by <@U_ALICE>: QA is down for a week &amp; the CVE fix &lt;can't&gt; wait — waiting for a second person to approve",
    );
    expect(texts(before.blocks)).toContain("run_approve_override");
    expect(texts(before.blocks)).not.toContain("step_start");
    const after = renderRunMessage(approved(), minutesAfter(T0, 3));
    expect(texts(after.blocks)).toContain("— approved by <@U_BOB>");
    expect(texts(after.blocks)).not.toContain("run_approve_override");
  });

  it("comes first in the post-mortem, Markdown and Slack", () => {
    const aborted = applyEvent(
      approved(),
      { type: "abort", reason: "done for now", by: ALICE },
      minutesAfter(T0, 9),
    );
    if (!aborted.accepted) throw new Error("abort refused");
    const summary = buildSummary({
      run: aborted.run,
      pendingReminders: [],
      now: minutesAfter(T0, 10),
    });
    expect(summary.override).toMatchObject({ reason: REASON, requestedBy: ALICE, approvedBy: BOB });

    const markdown = summaryMarkdown(summary);
    expect(markdown.split("\n## ")[1]).toMatch(
      /^⚠️ Started past the prod gate\n\n- \*\*By:\*\* <@U_ALICE> at .*, approved by <@U_BOB> at .*\n- \*\*Reason:\*\* QA is down/,
    );
    // Before the facts table and every other section.
    expect(markdown.indexOf("## ⚠️ Started past")).toBeLessThan(markdown.indexOf("| Run |"));

    const message = summaryMessage(summary, { runId: "run-1", followUpButton: false });
    expect(message.blocks[1]).toMatchObject({
      type: "section",
      text: {
        text: expect.stringMatching(
          /^⚠️ \*Started past the prod gate\* by <@U_ALICE>: QA is down .* — approved by <@U_BOB>$/,
        ),
      },
    });
    expect(message.text).toContain("⚠️ started past the gate");
  });
});

describe("an override of a checklist with named starters", () => {
  it("may be approved only by one of them", () => {
    const yaml = `${RULES_CHECKLIST_YAML}  starters: [UALICE, UDANA]\n`;
    const result = createRun({
      id: "run-2",
      checklist: checklistFromYaml(yaml),
      source: { hash: "v1" },
      params: { env: "prod" },
      channel: "C_OPS",
      owner: "UALICE",
      now: T0,
      priorRuns: [],
      override: "qa is down",
    });
    if (!result.ok) throw new Error(result.refusal.message);
    expect(refusal(applyEvent(result.run, approve(BOB), T0))).toMatchObject({ code: "not_permitted" });
    expect(applyEvent(result.run, approve("UDANA"), T0).accepted).toBe(true);
  });
});
