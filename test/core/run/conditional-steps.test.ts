import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import type { RunEvent } from "../../../src/core/run/run-schema.js";
import { newRun } from "../../support/checklist-fixtures.js";
import { play, refusalOf } from "../../support/run-play.js";

const ALICE = "U_ALICE";

const YAML = `
id: conditional
title: Conditional
summary: Steps that apply only sometimes
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
  destructive: { type: boolean, default: false }
phases:
  - id: prepare
    title: Prepare
    steps:
      - id: snapshot
        title: Take a snapshot
        required_when: destructive == true
      - id: page-oncall
        title: Page on-call
        when: env in [prod]
  - id: cleanup
    title: Clean up
    when: destructive and env == prod
    steps:
      - id: drop-old-table
        title: Drop the old table
  - id: close
    title: Close
    steps:
      - id: announce
        title: Announce
`;

const done = (stepId: string): RunEvent => ({ type: "complete_step", stepId, by: ALICE });

describe("conditional steps", () => {
  it("a step or phase whose when: does not hold is not applicable and needs no skip", () => {
    const run = newRun({ params: { env: "qa" } }, YAML);
    expect(run.steps.map((step) => [step.id, step.status])).toEqual([
      ["snapshot", "pending"],
      ["page-oncall", "not_applicable"],
      ["drop-old-table", "not_applicable"],
      ["announce", "pending"],
    ]);
    // Nothing to skip: the run finishes with only the applicable steps done.
    const finished = play(run, [done("snapshot"), done("announce"), { type: "finish", by: ALICE }]);
    expect(finished.status).toBe("finished");
  });

  it("the same checklist in prod with destructive=true makes every step apply", () => {
    const run = newRun({ params: { env: "prod", destructive: "true" } }, YAML);
    expect(run.steps.every((step) => step.status === "pending")).toBe(true);
    const refused = applyEvent(run, { type: "finish", by: ALICE }, new Date("2026-11-20T10:00:00Z"));
    expect(refusalOf(refused).code).toBe("incomplete");
  });

  it("required_when makes a skippable step unskippable when it holds", () => {
    const skip: RunEvent = { type: "skip_step", stepId: "snapshot", reason: "no time", by: ALICE };
    const at = new Date("2026-11-20T09:05:00Z");
    const destructive = newRun({ params: { destructive: "true" } }, YAML);
    expect(refusalOf(applyEvent(destructive, skip, at))).toEqual({
      code: "not_skippable",
      message:
        '"Take a snapshot" may not be skipped in this run: the checklist requires it when destructive == true. Complete it, or abort the run with a reason.',
    });
    const harmless = newRun({ params: { destructive: "false" } }, YAML);
    expect(applyEvent(harmless, skip, at).accepted).toBe(true);
  });
});
