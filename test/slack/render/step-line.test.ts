import { describe, expect, it } from "vitest";
import type { Problem, StepState } from "../../../src/core/run/run-schema.js";
import { findStep } from "../../../src/core/run/step-rules.js";
import { compactStepLine } from "../../../src/slack/render/step-line.js";
import { minutesAfter, newRun, T0 } from "../../support/checklist-fixtures.js";

/** A step's compact line follows everything it shows: its place, its plan, its problems, the clock. */

const run = newRun();
const located = findStep(run, "announce");
if (!located) throw new Error("the fixture has no step announce");
const done: StepState = {
  ...located.state,
  status: "done",
  startedAt: T0.toISOString(),
  completedAt: minutesAfter(T0, 7).toISOString(),
  completedBy: "U_ALICE",
};

describe("a step's compact line", () => {
  it("follows the step's place and its plan, not only its state", () => {
    const first = compactStepLine({ ...located, state: done }, [], T0);
    expect(first).toContain(`${located.index + 1}. `);
    const moved = compactStepLine({ ...located, index: located.index + 4, state: done }, [], T0);
    expect(moved).toContain(`${located.index + 5}. `);
    const renamed = { ...located.plan, title: "Announce the window again" };
    expect(compactStepLine({ ...located, plan: renamed, state: done }, [], T0)).toContain(
      "Announce the window again",
    );
  });

  it("shows a problem flagged on the step, and drops it once it is gone", () => {
    const problem = { id: "p1", stepId: located.plan.id, text: "lag above 5s" } as Problem;
    expect(compactStepLine({ ...located, state: done }, [], T0)).not.toContain("lag above 5s");
    expect(compactStepLine({ ...located, state: done }, [problem], T0)).toContain("🚩 lag above 5s");
    expect(compactStepLine({ ...located, state: done }, [], T0)).not.toContain("lag above 5s");
  });

  it("of a running step reads the clock at every drawing", () => {
    const running: StepState = { ...located.state, status: "running", startedAt: T0.toISOString() };
    expect(compactStepLine({ ...located, state: running }, [], minutesAfter(T0, 5))).toContain("running 5m");
    expect(compactStepLine({ ...located, state: running }, [], minutesAfter(T0, 9))).toContain("running 9m");
  });
});
