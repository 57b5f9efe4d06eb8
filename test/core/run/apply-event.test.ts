import { describe, expect, it } from "vitest";
import { applyEvent, type Decision } from "../../../src/core/run/apply-event.js";
import { createRun } from "../../../src/core/run/create-run.js";
import type { Effect } from "../../../src/core/run/effects.js";
import type { Run, RunEvent } from "../../../src/core/run/run-schema.js";
import {
  checklistFromYaml,
  minutesAfter,
  newRun,
  RULES_CHECKLIST_YAML,
  T0,
} from "../../support/checklist-fixtures.js";
import { play, refusalOf as refusal } from "../../support/run-play.js";

const ALICE = "U_ALICE";
const BOB = "U_BOB";
const CAROL = "U_CAROL";

function accepted(decision: Decision) {
  if (!decision.accepted) throw new Error(`refused: ${decision.refusal.message}`);
  return decision;
}

const effectsOf = <T extends Effect["type"]>(decision: Decision, type: T) =>
  accepted(decision).effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);

const done = (stepId: string, by = ALICE): RunEvent => ({ type: "complete_step", stepId, by });

/** Everything before `change`: announce and snapshot done. */
const throughSnapshot = (run: Run) => play(run, [done("announce"), done("snapshot")]);

describe("creating a run", () => {
  it("resolves parameters, including defaults that use other parameters and built-ins", () => {
    const run = newRun({ params: { env: "qa" } });
    expect(run.params.snapshot).toBe("demo-qa-2026-11-20");
    expect(run.plan.phases[0]?.steps[1]?.title).toBe("Take snapshot demo-qa-2026-11-20");
    expect(run.steps.every((step) => step.status === "pending")).toBe(true);
  });
});

describe("verification by a teammate", () => {
  it("a step that needs verification is not done until a teammate verifies it", () => {
    const run = play(throughSnapshot(newRun()), [done("change")]);
    expect(run.steps.find((s) => s.id === "change")?.status).toBe("awaiting_verification");
    const next = applyEvent(run, { type: "start_step", stepId: "warm-cache", by: ALICE }, T0);
    expect(refusal(next)).toMatchObject({ code: "out_of_order" });
    expect(refusal(next).message).toContain(
      '"Apply the change" comes first and is waiting for a teammate to verify',
    );
  });

  it("nobody verifies their own step", () => {
    const run = play(throughSnapshot(newRun()), [done("change", BOB)]);
    const decision = applyEvent(run, { type: "verify_step", stepId: "change", by: BOB }, T0);
    expect(refusal(decision)).toEqual({
      code: "self_verification",
      message: 'You completed "Apply the change", so you can\'t verify it: a teammate must verify it.',
    });
  });

  it("points the person who completed it at the buddy", () => {
    const run = play(throughSnapshot(newRun()), [done("change", ALICE)]);
    const decision = applyEvent(run, { type: "verify_step", stepId: "change", by: ALICE }, T0);
    expect(refusal(decision).message).toContain("your buddy <@U_BOB> or another teammate must verify it");
  });

  it("a teammate's verification completes the step and records who and when", () => {
    const run = play(throughSnapshot(newRun()), [
      done("change"),
      { type: "verify_step", stepId: "change", by: CAROL },
    ]);
    expect(run.steps.find((s) => s.id === "change")).toMatchObject({
      status: "done",
      completedBy: ALICE,
      verifiedBy: CAROL,
      verifiedAt: minutesAfter(T0, 2).toISOString(),
    });
  });

  it("asks the buddy when verification is needed", () => {
    const run = throughSnapshot(newRun());
    const effects = effectsOf(applyEvent(run, done("change"), T0), "request_verification");
    expect(effects).toEqual([
      { type: "request_verification", stepId: "change", completedBy: ALICE, ask: [BOB] },
    ]);
  });

  it("a checklist may restrict verifiers to named people", () => {
    const run = play(newRun({}, RESTRICTED_YAML), [done("deploy")]);
    expect(refusal(applyEvent(run, { type: "verify_step", stepId: "deploy", by: CAROL }, T0))).toEqual({
      code: "not_verifier",
      message: 'Only <@UDAVE> may verify "Deploy".',
    });
    expect(applyEvent(run, { type: "verify_step", stepId: "deploy", by: "UDAVE" }, T0).accepted).toBe(true);
  });

  it("verifying a step that is not waiting for it is refused", () => {
    const decision = applyEvent(newRun(), { type: "verify_step", stepId: "announce", by: BOB }, T0);
    expect(refusal(decision)).toMatchObject({ code: "wrong_state" });
  });
});

const RESTRICTED_YAML = `
id: restricted
title: Restricted
summary: Only Dave verifies
phases:
  - id: only
    title: Only
    steps:
      - id: deploy
        title: Deploy
        verify: true
        verifiers: [UDAVE]
`;

describe("order of steps", () => {
  it("the next step can't start before the current one is done", () => {
    const decision = applyEvent(newRun(), { type: "start_step", stepId: "snapshot", by: ALICE }, T0);
    expect(refusal(decision)).toEqual({
      code: "out_of_order",
      message:
        '"Take snapshot demo-qa-2026-11-20" can\'t start yet: "Announce the window" comes first and is not started.',
    });
  });

  it("nor be marked done out of order", () => {
    expect(refusal(applyEvent(newRun(), done("notify"), T0))).toMatchObject({ code: "out_of_order" });
  });

  it("steps marked parallel may run at the same time", () => {
    const run = play(throughSnapshot(newRun()), [
      done("change"),
      { type: "verify_step", stepId: "change", by: BOB },
      { type: "start_step", stepId: "warm-cache", by: ALICE },
      { type: "start_step", stepId: "smoke-test", by: BOB },
    ]);
    expect(run.steps.filter((s) => s.status === "running").map((s) => s.id)).toEqual([
      "warm-cache",
      "smoke-test",
    ]);
    // ...but the step after the parallel pair waits for both.
    expect(refusal(applyEvent(run, { type: "start_step", stepId: "notify", by: ALICE }, T0))).toMatchObject({
      code: "out_of_order",
    });
  });

  it("a step can't be started twice", () => {
    const run = play(newRun(), [{ type: "start_step", stepId: "announce", by: ALICE }]);
    expect(refusal(applyEvent(run, { type: "start_step", stepId: "announce", by: BOB }, T0))).toMatchObject({
      code: "wrong_state",
    });
  });

  it("an unknown step is refused by name", () => {
    expect(refusal(applyEvent(newRun(), done("nope"), T0))).toEqual({
      code: "unknown_step",
      message: 'This run has no step "nope".',
    });
  });
});

describe("skipping", () => {
  it("a step that may not be skipped can't be skipped", () => {
    const run = play(newRun(), [done("announce")]);
    const decision = applyEvent(
      run,
      { type: "skip_step", stepId: "snapshot", reason: "no time", by: ALICE },
      T0,
    );
    expect(refusal(decision)).toMatchObject({ code: "not_skippable" });
    expect(refusal(decision).message).toContain("may not be skipped");
  });

  it("a skip without a reason is refused", () => {
    const decision = applyEvent(
      newRun(),
      { type: "skip_step", stepId: "announce", reason: "", by: ALICE },
      T0,
    );
    expect(refusal(decision)).toMatchObject({ code: "reason_required" });
  });

  it("a skip with a reason records it", () => {
    const run = play(newRun(), [
      { type: "skip_step", stepId: "announce", reason: "announced yesterday", by: ALICE },
    ]);
    expect(run.steps[0]).toMatchObject({
      status: "skipped",
      skipReason: "announced yesterday",
      skippedBy: ALICE,
    });
    expect(run.history.at(-1)).toMatchObject({
      type: "skip_step",
      stepId: "announce",
      detail: "announced yesterday",
    });
  });
});

describe("finishing and aborting", () => {
  const everything: RunEvent[] = [
    done("announce"),
    done("snapshot"),
    done("change"),
    { type: "verify_step", stepId: "change", by: BOB },
    done("warm-cache"),
    done("smoke-test"),
    done("notify"),
  ];

  it("the run can only finish when every step is done, verified where needed, or skipped", () => {
    const almost = play(newRun(), everything.slice(0, 3));
    const decision = applyEvent(almost, { type: "finish", by: ALICE }, T0);
    expect(refusal(decision)).toMatchObject({ code: "incomplete" });
    expect(refusal(decision).message).toContain('"Apply the change" (waiting for a teammate to verify)');
    const finished = play(newRun(), [...everything, { type: "finish", by: ALICE }]);
    expect(finished.status).toBe("finished");
  });

  it("a finished run accepts nothing more", () => {
    const finished = play(newRun(), [...everything, { type: "finish", by: ALICE }]);
    const decision = applyEvent(
      finished,
      { type: "add_note", text: "late", source: "button", by: ALICE },
      T0,
    );
    expect(refusal(decision)).toMatchObject({ code: "closed" });
  });

  it("an aborted run accepts nothing more", () => {
    const aborted = play(newRun(), [{ type: "abort", reason: "replica lag", by: ALICE }]);
    expect(aborted).toMatchObject({ status: "aborted", abortReason: "replica lag" });
    expect(refusal(applyEvent(aborted, done("announce"), T0))).toMatchObject({ code: "closed" });
  });

  it("abort needs a reason and the owner or buddy", () => {
    expect(refusal(applyEvent(newRun(), { type: "abort", reason: " ", by: ALICE }, T0))).toMatchObject({
      code: "reason_required",
    });
    expect(refusal(applyEvent(newRun(), { type: "abort", reason: "why not", by: CAROL }, T0))).toMatchObject({
      code: "not_permitted",
    });
  });

  it("open problems must be resolved before finishing, and block completing their step", () => {
    const withProblem = play(newRun(), [
      ...everything.slice(0, 5),
      { type: "report_problem", stepId: "smoke-test", text: "checkout returns 500", by: BOB },
    ]);
    expect(refusal(applyEvent(withProblem, done("smoke-test"), T0))).toMatchObject({ code: "open_problem" });
    const problemId = withProblem.problems[0]?.id ?? "";
    const resolved = play(withProblem, [
      { type: "resolve_problem", problemId, resolution: "cache warmed", by: BOB },
      done("smoke-test"),
      done("notify"),
      { type: "finish", by: BOB },
    ]);
    expect(resolved.problems[0]).toMatchObject({ resolvedBy: BOB, resolution: "cache warmed" });
    expect(resolved.status).toBe("finished");
  });
});

describe("records and versions", () => {
  it("every accepted event records who and when and bumps the version", () => {
    const run = play(newRun(), [done("announce", BOB)]);
    expect(run.version).toBe(1);
    expect(run.history.at(-1)).toEqual({
      at: minutesAfter(T0, 1).toISOString(),
      by: BOB,
      type: "complete_step",
      stepId: "announce",
      progress: 1,
    });
    expect(run.steps[0]).toMatchObject({ completedBy: BOB, completedAt: minutesAfter(T0, 1).toISOString() });
  });

  it("an event made against an older version is recognised as stale", () => {
    const run = play(newRun(), [done("announce")]);
    const decision = applyEvent(
      run,
      { type: "start_step", stepId: "snapshot", by: BOB, expectedProgress: 0 },
      T0,
    );
    expect(refusal(decision)).toMatchObject({ code: "stale" });
    expect(
      applyEvent(run, { type: "start_step", stepId: "snapshot", by: BOB, expectedProgress: 1 }, T0).accepted,
    ).toBe(true);
  });

  it("a note or a reported problem in between does not make anyone's buttons stale", () => {
    const run = play(newRun(), [
      done("announce"),
      { type: "add_note", text: "lag 1s", source: "thread", by: CAROL },
      { type: "report_problem", text: "slow disk", by: CAROL },
    ]);
    expect(run).toMatchObject({ version: 3, progress: 1 });
    expect(
      applyEvent(run, { type: "start_step", stepId: "snapshot", by: BOB, expectedProgress: 1 }, T0).accepted,
    ).toBe(true);
  });

  it("a refusal leaves the run as it was", () => {
    const run = newRun();
    const before = structuredClone(run);
    applyEvent(run, { type: "skip_step", stepId: "announce", reason: "", by: ALICE }, T0);
    expect(run).toEqual(before);
  });

  it("hand over: the owner or buddy hands the run to someone else", () => {
    const run = play(newRun(), [{ type: "hand_over", to: CAROL, by: ALICE }]);
    expect(run.owner).toBe(CAROL);
    expect(refusal(applyEvent(run, { type: "hand_over", to: ALICE, by: "U_EVE" }, T0))).toMatchObject({
      code: "not_permitted",
    });
    const buddyTakes = play(newRun(), [{ type: "hand_over", to: BOB, by: BOB }]);
    expect(buddyTakes).toMatchObject({ owner: BOB, buddy: ALICE });
  });

  it("notes from the thread are recorded without being echoed back", () => {
    const decision = applyEvent(
      newRun(),
      { type: "add_note", text: "lag is 2s", source: "thread", by: CAROL },
      T0,
    );
    expect(accepted(decision).effects).toEqual([]);
    expect(accepted(decision).run.notes).toEqual([
      { text: "lag is 2s", by: CAROL, at: T0.toISOString(), source: "thread" },
    ]);
  });
});

describe("effects", () => {
  it("starting a timed step schedules nudges at its maximum and twice it; moving on cancels them", () => {
    const run = play(newRun(), [done("announce")]);
    const start = applyEvent(run, { type: "start_step", stepId: "snapshot", by: ALICE }, T0);
    expect(effectsOf(start, "schedule_overrun_nudges")).toEqual([
      {
        type: "schedule_overrun_nudges",
        stepId: "snapshot",
        at: [minutesAfter(T0, 10).toISOString(), minutesAfter(T0, 20).toISOString()],
      },
    ]);
    const complete = applyEvent(accepted(start).run, done("snapshot"), minutesAfter(T0, 7));
    expect(effectsOf(complete, "cancel_overrun_nudges")).toEqual([
      { type: "cancel_overrun_nudges", stepId: "snapshot" },
    ]);
  });

  it("a step's completion schedules its reminders with a deterministic key and the rendered text", () => {
    const run = play(newRun(), [done("announce")]);
    const decision = applyEvent(run, done("snapshot"), T0);
    expect(effectsOf(decision, "schedule_reminder").map((e) => e.reminder)).toEqual([
      {
        key: "run-1.delete-snapshot.0",
        runId: "run-1",
        reminderId: "delete-snapshot",
        occurrence: 0,
        dueAt: "2026-12-20T09:00:00.000Z",
        channel: "C_OPS",
        runChannel: "C_OPS",
        text: "Delete snapshot demo-qa-2026-11-20",
        keepOnAbort: true,
      },
    ]);
  });

  it("finishing schedules the run.finished reminders in their own channel and closes the run", () => {
    const run = play(newRun(), [
      done("announce"),
      done("snapshot"),
      done("change"),
      { type: "verify_step", stepId: "change", by: BOB },
      done("warm-cache"),
      done("smoke-test"),
      done("notify"),
    ]);
    const decision = applyEvent(run, { type: "finish", by: ALICE }, T0);
    expect(
      effectsOf(decision, "schedule_reminder").map((e) => [e.reminder.channel, e.reminder.text]),
    ).toEqual([["#business", "Rules demo finished in qa"]]);
    expect(effectsOf(decision, "run_closed")).toEqual([{ type: "run_closed", outcome: "finished" }]);
  });

  it("aborting cancels reminders except those kept on abort, and stops nudges of running steps", () => {
    const run = play(newRun(), [done("announce"), { type: "start_step", stepId: "snapshot", by: ALICE }]);
    const decision = applyEvent(run, { type: "abort", reason: "snapshot stuck", by: ALICE }, T0);
    expect(accepted(decision).effects.map((e) => e.type)).toEqual([
      "refresh_run_message",
      "post_activity",
      "cancel_reminders",
      "cancel_overrun_nudges",
      "run_closed",
      // A real run, closed: it enters its checklist's history.
      "record_history",
    ]);
    expect(effectsOf(decision, "cancel_reminders")).toEqual([
      { type: "cancel_reminders", runId: "run-1", keepOnAbort: true },
    ]);
  });
});

describe("rules at the start of a run", () => {
  it("refuses prod before a finished qa run, naming what is needed", () => {
    expect(() => newRun({ params: { env: "prod" } })).toThrow(
      "prod needs a finished qa run of rules-demo version test within 30 days; there is no qa run of rules-demo yet. Run it in qa first, then start prod.",
    );
    const aborted = {
      checklistId: "rules-demo",
      status: "aborted" as const,
      environment: "qa",
      params: { env: "qa" },
      dryRun: false,
      hash: "test",
      closedAt: T0.toISOString(),
    };
    expect(() => newRun({ params: { env: "prod" }, priorRuns: [aborted] })).toThrow(
      "the last qa run was aborted, not finished",
    );
    const finished = { ...aborted, status: "finished" as const };
    expect(newRun({ params: { env: "prod" }, priorRuns: [finished] }).environment).toBe("prod");
  });

  it("a preview shows prod without the rule", () => {
    expect(newRun({ params: { env: "prod" }, preview: true }).environment).toBe("prod");
  });

  it("names missing parameters and unknown ones, with what is accepted", () => {
    const yaml = RULES_CHECKLIST_YAML.replace(
      "env: { type: enum, values: [qa, prod], default: qa }",
      "env: { type: enum, values: [qa, prod] }",
    );
    const result = createRun({
      id: "r",
      checklist: checklistFromYaml(yaml),
      source: { hash: "h" },
      params: { envv: "qa" },
      channel: "C",
      owner: "U_ALICE",
      now: T0,
      priorRuns: [],
    });
    expect(result).toMatchObject({ ok: false, missing: ["env"], refusal: { code: "invalid_parameters" } });
    if (result.ok) return;
    expect(result.refusal.message).toBe(
      'unknown parameter "envv": rules-demo takes env, snapshot\nmissing parameter "env": one of qa, prod',
    );
  });

  it("only named starters may start a run, and a buddy is never yourself", () => {
    const yaml = `${RULES_CHECKLIST_YAML}  starters: [UCAROL]\n`;
    expect(() => newRun({}, yaml)).toThrow("only <@UCAROL> may start rules-demo");
    expect(() => newRun({ buddy: "U_ALICE" })).toThrow("your buddy must be a teammate, not yourself");
  });
});

describe("values filled in from parameters", () => {
  const yaml = `
id: templated
title: Templated
summary: Region and link from parameters
parameters:
  region: { type: string, default: us-east-2 }
  page: { type: url, default: "https://status.example.com" }
phases:
  - id: only
    title: Only
    steps:
      - id: snap
        title: Snapshot
        links: [{ label: Status page, url: "{{page}}" }]
        action: { type: rds.snapshot, target: cluster, identifier: c, snapshot: s, region: "{{region}}" }
`;
  it("are checked once the run fills them in", () => {
    const action = newRun({}, yaml).plan.phases[0]?.steps[0]?.action;
    expect(action && "region" in action ? action.region : undefined).toBe("us-east-2");
    expect(() => newRun({ params: { region: "mars" } }, yaml)).toThrow(
      'region "mars" (step snap) is not an AWS region such as us-east-2',
    );
    expect(() => newRun({ params: { page: "status" } }, yaml)).toThrow(
      "page=status is not a link: give an http(s) URL such as https://wiki.example.com/page",
    );
  });
});
