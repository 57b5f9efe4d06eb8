import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { someoneMay } from "../../../src/core/run/permissions.js";
import { newRun, T0 } from "../../support/checklist-fixtures.js";
import { acceptedOf, refusalOf } from "../../support/run-play.js";

const ALICE = "U_ALICE";

const YAML = `
id: soak
title: Soak
summary: A canary that must stay clean for a day
phases:
  - id: rollout
    title: Rollout
    steps:
      - id: canary
        title: Deploy the canary
      - id: full-rollout
        title: Roll out everywhere
        not_before: 24h after canary
`;

const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

describe("timed gates (not_before)", () => {
  it("a step can't start before its soak time is over, and says when it opens", () => {
    const canaryDone = acceptedOf(
      applyEvent(newRun({}, YAML), { type: "complete_step", stepId: "canary", by: ALICE }, hours(1)),
    );
    const start = { type: "start_step" as const, stepId: "full-rollout", by: ALICE };
    expect(refusalOf(applyEvent(canaryDone.run, start, hours(2)))).toEqual({
      code: "not_yet",
      message:
        '"Roll out everywhere" can\'t start before 2026-11-21 10:00 UTC: it waits 24h 00m after "Deploy the canary" (a soak time). A reminder is posted when it opens.',
    });
    expect(applyEvent(canaryDone.run, start, hours(25)).accepted).toBe(true);
  });

  it("Done on the step before its soak time is over is refused as Start is, and taken after", () => {
    const canaryDone = acceptedOf(
      applyEvent(newRun({}, YAML), { type: "complete_step", stepId: "canary", by: ALICE }, hours(1)),
    );
    const done = { type: "complete_step" as const, stepId: "full-rollout", by: ALICE };
    expect(refusalOf(applyEvent(canaryDone.run, done, hours(2)))).toMatchObject({
      code: "not_yet",
      message: expect.stringContaining('"Roll out everywhere" can\'t start before 2026-11-21 10:00 UTC'),
    });
    const later = acceptedOf(applyEvent(canaryDone.run, done, hours(25)));
    expect(later.run.steps.find((s) => s.id === "full-rollout")?.status).toBe("done");
  });

  it("a decision point with a soak time is not continued before it is over; pausing or aborting is not held", () => {
    const yaml = `${YAML}      - id: go
        title: Go on?
        decision: { question: Is the rollout clean?, decider: owner }
        not_before: 1h after full-rollout
`;
    const canaryDone = acceptedOf(
      applyEvent(newRun({}, yaml), { type: "complete_step", stepId: "canary", by: ALICE }, hours(1)),
    ).run;
    const rolledOut = acceptedOf(
      applyEvent(canaryDone, { type: "complete_step", stepId: "full-rollout", by: ALICE }, hours(26)),
    ).run;
    const decide = (option: "continue" | "abort") =>
      ({ type: "decide", stepId: "go", option, reason: "looked", by: ALICE }) as const;
    expect(refusalOf(applyEvent(rolledOut, decide("continue"), hours(26.5)))).toMatchObject({
      code: "not_yet",
      message: expect.stringContaining("a soak time"),
    });
    expect(applyEvent(rolledOut, decide("continue"), hours(27.5)).accepted).toBe(true);
    expect(applyEvent(rolledOut, decide("abort"), hours(26.5)).accepted).toBe(true);
    expect(someoneMay(rolledOut, { type: "decide", stepId: "go" })).toBe(true);
  });

  it("the step it counts from finishing schedules a reminder for when the gate opens", () => {
    const decision = acceptedOf(
      applyEvent(newRun({}, YAML), { type: "complete_step", stepId: "canary", by: ALICE }, hours(1)),
    );
    const reminders = decision.effects.filter((effect) => effect.type === "schedule_reminder");
    expect(reminders).toEqual([
      {
        type: "schedule_reminder",
        reminder: expect.objectContaining({
          key: "run-1.gate-full-rollout.0",
          dueAt: "2026-11-21T10:00:00.000Z",
          channel: "C_OPS",
          text: '"Roll out everywhere" can start now: its soak time (24h 00m after "Deploy the canary") is over.',
        }),
      },
    ]);
    expect(decision.run.reminders["run-1.gate-full-rollout.0"]?.dueAt).toBe("2026-11-21T10:00:00.000Z");
  });

  it("a not_before naming a later or unknown step is refused when the checklist loads", async () => {
    const { parseChecklist, formatProblem } = await import("../../../src/core/checklist/parse-checklist.js");
    const result = parseChecklist(YAML.replace("24h after canary", "24h after full-rollout"), "soak.yaml");
    expect(result.ok || result.problems.map(formatProblem)).toEqual([
      'soak.yaml:13:21  phases[0].steps[1].not_before  not_before names "full-rollout", which is not an earlier step of this checklist',
    ]);
  });
});
