import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import type { RunEvent } from "../../../src/core/run/run-schema.js";
import { minutesAfter, newRun, RULES_CHECKLIST_YAML, T0 } from "../../support/checklist-fixtures.js";
import { play, refusalOf as refusal } from "../../support/run-play.js";

/**
 * One test per run rule that no other test pins down on its own: each goes red when its rule is
 * deleted from the engine, and each asserts on the refusal a person reads.
 */

const ALICE = "U_ALICE";
const BOB = "U_BOB";
const CAROL = "U_CAROL";

const done = (stepId: string, by = ALICE): RunEvent => ({ type: "complete_step", stepId, by });

/** Every step of the rules checklist done and verified: only finishing is left. */
const allDone = () =>
  play(newRun(), [
    done("announce"),
    done("snapshot"),
    done("change"),
    { type: "verify_step", stepId: "change", by: BOB },
    done("warm-cache"),
    done("smoke-test"),
    done("notify"),
  ]);

const later = minutesAfter(T0, 60);

describe("finishing a run", () => {
  it("is refused while a problem is open, even when every step is done, naming the problem", () => {
    // A problem about the run as a whole: it blocks no step, only the finish.
    const withProblem = play(allDone(), [
      { type: "report_problem", text: "error rate still above baseline", by: BOB },
    ]);
    const decision = applyEvent(withProblem, { type: "finish", by: ALICE }, later);
    expect(refusal(decision)).toEqual({
      code: "open_problem",
      message: 'Resolve the open problems first: "error rate still above baseline".',
    });

    const resolved = play(withProblem, [
      { type: "resolve_problem", problemId: "p1", resolution: "it was a dashboard lag", by: BOB },
    ]);
    expect(play(resolved, [{ type: "finish", by: ALICE }]).status).toBe("finished");
  });

  it("is refused to someone who is neither the owner nor the buddy, and the run stays open", () => {
    const run = allDone();
    const decision = applyEvent(run, { type: "finish", by: CAROL }, later);
    expect(refusal(decision)).toEqual({
      code: "not_permitted",
      message: "Only the run's owner <@U_ALICE> or buddy <@U_BOB> may finish it.",
    });
    expect(play(run, [{ type: "finish", by: BOB }])).toMatchObject({ status: "finished" });
  });
});

describe("resolving a problem", () => {
  it("twice is refused, naming who resolved it, and the first resolution stands", () => {
    const resolved = play(newRun(), [
      { type: "report_problem", stepId: "announce", text: "the status page is down", by: ALICE },
      { type: "resolve_problem", problemId: "p1", resolution: "posted on the wiki instead", by: BOB },
    ]);
    const again = applyEvent(
      resolved,
      { type: "resolve_problem", problemId: "p1", resolution: "it came back", by: CAROL },
      later,
    );
    expect(refusal(again)).toEqual({
      code: "wrong_state",
      message: "That problem was already resolved by <@U_BOB>.",
    });
    expect(resolved.problems[0]).toMatchObject({ resolvedBy: BOB, resolution: "posted on the wiki instead" });
  });
});

describe("skipping a step", () => {
  it("that is already done is refused: only a step not done yet can be skipped", () => {
    const run = play(newRun(), [done("announce")]);
    const decision = applyEvent(
      run,
      { type: "skip_step", stepId: "announce", reason: "not needed after all", by: ALICE },
      later,
    );
    expect(refusal(decision)).toEqual({
      code: "wrong_state",
      message: '"Announce the window" is done; only a step not done yet can be skipped.',
    });
  });
});

describe("QA before PROD with the same parameters", () => {
  const yaml = RULES_CHECKLIST_YAML.replace(
    "prod: { requires_completed: [qa] }",
    "prod: { requires_completed: [qa], same: [ticket] }",
  ).replace("parameters:\n", "parameters:\n  ticket: { type: string }\n");
  const finishedQa = (ticket: string) => ({
    checklistId: "rules-demo",
    status: "finished" as const,
    environment: "qa",
    params: { env: "qa", ticket },
    dryRun: false,
    hash: "test",
    closedAt: T0.toISOString(),
  });

  it("refuses prod when the finished qa run was for another ticket, naming the value needed", () => {
    expect(() =>
      newRun({ params: { env: "prod", ticket: "OPS-2" }, priorRuns: [finishedQa("OPS-1")] }, yaml),
    ).toThrow(
      "prod needs a finished qa run of rules-demo version test with the same ticket within 30 days; the last qa run had another ticket.",
    );
  });

  it("accepts prod once qa finished for the same ticket", () => {
    const run = newRun(
      { params: { env: "prod", ticket: "OPS-2" }, priorRuns: [finishedQa("OPS-1"), finishedQa("OPS-2")] },
      yaml,
    );
    expect(run).toMatchObject({ environment: "prod", params: { ticket: "OPS-2" } });
  });
});
