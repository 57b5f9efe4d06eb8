import { describe, expect, it } from "vitest";
import { resolveHandles } from "../../../src/core/checklist/group-handles.js";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { groupsNamedIn } from "../../../src/core/run/people.js";
import type { RunEvent } from "../../../src/core/run/run-schema.js";
import { checklistFromYaml, newRun, T0 } from "../../support/checklist-fixtures.js";
import { acceptedOf, refusalOf } from "../../support/run-play.js";

/** A decision point whose decider is a user group: any member picks, nobody else. */
const yaml = (decider: string) => `
id: group-decides
title: Group decides
summary: A go/no-go for the on-call group
phases:
  - id: main
    title: Main
    steps:
      - id: go
        title: Go / no-go
        decision: { question: Go ahead?, decider: "${decider}" }
      - id: after
        title: After
`;

const decide = (by: string, groups: string[] = []): RunEvent => ({
  type: "decide",
  stepId: "go",
  option: "continue",
  reason: "all green",
  by,
  groups,
});

describe("a user group as a decision point's decider", () => {
  it("lets a member pick, and refuses others naming the group", () => {
    const run = newRun({}, yaml("SONCALL"));
    expect(groupsNamedIn(run)).toContain("SONCALL");
    const refusal = refusalOf(applyEvent(run, decide("U_DAVE"), T0));
    expect(refusal.code).toBe("not_decider");
    expect(refusal.message).toBe(
      'Only members of <!subteam^SONCALL> decide "Go / no-go" (the checklist names the decider).',
    );
    // The owner is not the decider either, unless in the group.
    expect(refusalOf(applyEvent(run, decide("U_ALICE"), T0)).code).toBe("not_decider");
    const decided = acceptedOf(applyEvent(run, decide("U_CAROL", ["SONCALL"]), T0)).run;
    expect(decided.steps.find((s) => s.id === "go")).toMatchObject({
      status: "done",
      completedBy: "U_CAROL",
    });
  });

  it("may be named by @handle, resolved to the group's id at load", () => {
    const resolved = resolveHandles(checklistFromYaml(yaml("@oncall")), new Map([["oncall", "SONCALL"]]));
    expect(resolved.ok && resolved.checklist.phases[0]?.steps[0]?.decision?.decider).toBe("SONCALL");
  });
});
