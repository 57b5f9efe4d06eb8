import { describe, expect, it } from "vitest";
import { formatProblem, parseChecklist } from "../../../src/core/checklist/parse-checklist.js";

const problems = (yaml: string) => {
  const result = parseChecklist(yaml, "recovery.yaml");
  return result.ok ? [] : result.problems.map(formatProblem);
};

const STEPS = `
id: recovery
title: Recovery
summary: Decision rules
phases:
  - id: main
    title: Main
    steps:
      - id: go
        title: Go?
        decision: { question: Ready?, options: [pause, abort], decider: owner }
        action: { type: rds.check, target: instance, identifier: db-1, expect: { status: available } }
      - id: upgrade
        title: Upgrade
rollback:
  steps:
    - id: upgrade
      title: Undo the upgrade
`;

describe("checklist rules for decisions and the rollback phase", () => {
  it("name the line of a decision that runs an action, offers no continue, and a rollback id taken", () => {
    const lines = problems(STEPS);
    expect(lines).toContainEqual(
      expect.stringMatching(/recovery\.yaml:\d+.*a decision point is decided, not run/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/recovery\.yaml:\d+.*must offer continue/));
    expect(lines).toContainEqual(expect.stringMatching(/recovery\.yaml:\d+.*duplicate step id "upgrade"/));
  });

  it("refuses a decider that is neither owner, buddy, a user id nor a user group", () => {
    const yaml = STEPS.replace("decider: owner", "decider: the-boss");
    expect(problems(yaml).join("\n")).toContain(
      "use owner, buddy, a Slack user id such as U024BE7LH, a user group id",
    );
  });
});
