import { describe, expect, it } from "vitest";
import { applyEvent, type Decision } from "../../../src/core/run/apply-event.js";
import { changesRunMessage } from "../../../src/core/run/decision.js";
import type { Run, RunEvent } from "../../../src/core/run/run-schema.js";
import { minutesAfter, newRun, T0 } from "../../support/checklist-fixtures.js";

/**
 * Which changes the run message shows, so which commits redraw it: a `chat.update` is Tier 3
 * (~50 a minute), so what the message does not show must not spend one.
 */

const ALICE = "U_ALICE";

function changes(run: Run, event: RunEvent): boolean {
  const decision: Decision = applyEvent(run, event, minutesAfter(T0, 1));
  if (!decision.accepted) throw new Error(`refused: ${decision.refusal.message}`);
  return changesRunMessage(run, decision);
}

describe("what the run message shows", () => {
  it("a step done, a step started and an abort change it", () => {
    const run = newRun({ params: { env: "qa" } });
    expect(changes(run, { type: "complete_step", stepId: "announce", by: ALICE })).toBe(true);
    expect(changes(run, { type: "start_step", stepId: "announce", by: ALICE })).toBe(true);
    expect(changes(run, { type: "abort", reason: "Rolled back: the replica lagged", by: ALICE })).toBe(true);
  });

  it("a reply in the thread does not: the message shows no notes", () => {
    const run = newRun({ params: { env: "qa" } });
    expect(
      changes(run, { type: "add_note", text: "Replica lag back under 1 s", source: "thread", by: ALICE }),
    ).toBe(false);
  });
});
