import type { Button } from "@slack/types";
import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import type { Run, RunEvent } from "../../../src/core/run/run-schema.js";
import { renderRunMessage, renderStepList } from "../../../src/slack/render/run-message.js";
import { minutesAfter, newRun, T0 } from "../../support/checklist-fixtures.js";
import { LONG_STEPS, longMigrationChecklist } from "../../support/long-checklist.js";
import { expectWithinSlackLimits, type Message, onlyButtons } from "../../support/slack-limits.js";

/**
 * A 300-step run walked from start to finish the way people walk it: every event is a button
 * found on the message as last rendered, and the message is rendered again after every event.
 * Every rendering stays within Slack's limits. (test/e2e/long-checklist.test.ts checks the
 * same checklist over the wire for a few clicks.)
 */

const ALICE = "U_ALICE";
const BOB = "U_BOB";

const buttons = (message: Message): Button[] =>
  message.blocks.flatMap((block) => (block.type === "actions" ? onlyButtons(block.elements) : []));

/** The button `actionId` (for `stepId`) on the message, as the event a click on it makes. */
function click(message: Message, actionId: string, by: string, stepId?: string): RunEvent {
  const found = buttons(message).find(
    (b) => b.action_id === actionId && (stepId === undefined || JSON.parse(b.value ?? "{}").s === stepId),
  );
  if (!found) {
    const shown = buttons(message).map((b) => `${b.action_id}:${JSON.parse(b.value ?? "{}").s ?? "-"}`);
    throw new Error(
      `no ${actionId} button for ${stepId ?? "the run"}; the message shows: ${shown.join(", ")}`,
    );
  }
  if (actionId === "step_complete") return { type: "complete_step", stepId: stepId ?? "", by };
  if (actionId === "step_verify") return { type: "verify_step", stepId: stepId ?? "", by };
  if (actionId === "run_finish") return { type: "finish", by };
  throw new Error(`the walk does not click ${actionId}`);
}

describe("a 300-step run walked to the end", () => {
  it("offers the next button on every rendering, each within Slack's limits, until it finishes", () => {
    let run: Run = newRun({ owner: ALICE, buddy: BOB }, longMigrationChecklist());
    let minute = 0;
    let message: Message = renderRunMessage(run, T0);
    const renderings: Message[] = [message];
    const apply = (event: RunEvent) => {
      minute += 1;
      const decision = applyEvent(run, event, minutesAfter(T0, minute));
      if (!decision.accepted) throw new Error(`${event.type} refused: ${decision.refusal.message}`);
      run = decision.run;
      message = renderRunMessage(run, minutesAfter(T0, minute));
      renderings.push(message);
    };

    for (const part of renderStepList(run)) expectWithinSlackLimits(part);
    for (let n = 1; n <= LONG_STEPS; n++) {
      apply(click(message, "step_complete", ALICE, `s${n}`));
      if (n % 25 === 0) apply(click(message, "step_verify", BOB, `s${n}`));
    }
    apply(click(message, "run_finish", ALICE));

    expect(run.status).toBe("finished");
    expect(run.steps.every((step) => step.status === "done")).toBe(true);
    expect(renderings).toHaveLength(1 + LONG_STEPS + LONG_STEPS / 25 + 1);
    for (const rendering of renderings) expectWithinSlackLimits(rendering);
    expect(buttons(message)).toEqual([]);
  });
});
