import type { Button } from "@slack/types";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../../src/core/checklist/schema.js";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import type { Run, RunEvent } from "../../../src/core/run/run-schema.js";
import { findStep } from "../../../src/core/run/step-rules.js";
import { needsStepList, renderRunMessage, renderStepList } from "../../../src/slack/render/run-message.js";
import { minutesAfter, newRun, T0 } from "../../support/checklist-fixtures.js";
import { expectWithinSlackLimits, type Message, onlyButtons } from "../../support/slack-limits.js";

const ALICE = "U_ALICE";
const BOB = "U_BOB";

const buttons = (message: Message): Button[] =>
  message.blocks.flatMap((block) => (block.type === "actions" ? onlyButtons(block.elements) : []));

/** The action ids of the buttons that act on a step. */
const buttonsOn = (message: Message, stepId: string) =>
  buttons(message)
    .filter((b) => JSON.parse(b.value ?? "{}").s === stepId)
    .map((b) => b.action_id);

const allText = (message: Message) =>
  message.blocks
    .flatMap((block) => {
      if (block.type === "header" || block.type === "section") return [block.text?.text ?? ""];
      if (block.type === "context") return block.elements.map((e) => ("text" in e ? e.text : ""));
      return [];
    })
    .join("\n");

/** Applies events one minute apart, or at the minute given, failing the test on a refusal. */
function play(run: Run, events: (RunEvent | [number, RunEvent])[]): Run {
  return events.reduce((current, entry, i) => {
    const [minute, event] = Array.isArray(entry) ? entry : [i + 1, entry];
    const decision = applyEvent(current, event, minutesAfter(T0, minute));
    if (!decision.accepted) throw new Error(`${event.type} refused: ${decision.refusal.message}`);
    return decision.run;
  }, run);
}
const done = (stepId: string, by = ALICE): RunEvent => ({ type: "complete_step", stepId, by });
const start = (stepId: string, by = ALICE): RunEvent => ({ type: "start_step", stepId, by });
const verify = (stepId: string, by = BOB): RunEvent => ({ type: "verify_step", stepId, by });
const succeeded = (stepId: string): RunEvent => ({
  type: "action_succeeded",
  stepId,
  results: { status: "available" },
  by: "preflight",
});

/** Every step of the rules checklist done and verified: the run may finish. */
const everythingDone = () =>
  play(newRun(), [
    done("announce"),
    done("snapshot"),
    done("change"),
    verify("change"),
    done("warm-cache"),
    done("smoke-test"),
    done("notify"),
  ]);

describe("the run message of the rules checklist", () => {
  it("a fresh run: the title, who, and a Start button on the first step only", () => {
    const message = renderRunMessage(newRun(), minutesAfter(T0, 25));
    expectWithinSlackLimits(message);
    expect(message.blocks[0]).toMatchObject({ type: "header", text: { text: "Rules demo" } });
    const start = buttons(message).filter((b) => b.action_id === "step_start");
    expect(start.map((b) => b.value)).toEqual(['{"r":"run-1","s":"announce","v":0}']);
    expect(buttonsOn(message, "announce")).toEqual([
      "step_start",
      "step_complete",
      "step_skip",
      "step_problem",
      "step_note",
    ]);
    expect(buttons(message).some((b) => b.action_id === "step_verify")).toBe(false);
    const text = allText(message);
    expect(text).toContain("*Environment:* qa");
    expect(text).toContain("*Owner:* <@U_ALICE>");
    expect(text).toContain("*Buddy:* <@U_BOB>");
    expect(text).toContain("<!date^1795165200^{date_short_pretty} {time}|2026-11-20T09:00:00.000Z>");
    expect(text).toContain("*Elapsed:* 25m");
    expect(text).toContain("⚪ 2. Take snapshot demo-qa-2026-11-20 — expected 5m–10m");
    expect(message.text).toContain("Rules demo in qa: 0/6 steps done — now: Announce the window");
  });

  it("a step waiting for verification gets a Verify button, and the step after it no Start", () => {
    const run = play(newRun(), [done("announce"), done("snapshot"), start("change"), [10, done("change")]]);
    const message = renderRunMessage(run, minutesAfter(T0, 12));
    expectWithinSlackLimits(message);
    expect(buttonsOn(message, "change")).toEqual(["step_verify", "step_problem", "step_note"]);
    expect(buttonsOn(message, "warm-cache")).toEqual([]);
    expect(buttons(message).find((b) => b.action_id === "step_verify")?.style).toBe("primary");
    const text = allText(message);
    expect(text).toContain("🟡 *3. Apply the change* — waiting for a teammate to verify");
    expect(text).toContain("✅ *Before* — 2 done");
    expect(text).toContain("*Downtime:* 9m so far");
  });

  it("downtime runs from the downtime: start step to the downtime: end step", () => {
    const run = play(newRun(), [
      done("announce"),
      done("snapshot"),
      start("change"),
      [10, done("change")],
      [11, verify("change")],
      [12, done("warm-cache")],
      [20, done("smoke-test")],
    ]);
    expect(allText(renderRunMessage(run, minutesAfter(T0, 40)))).toContain("*Downtime:* 17m\n");
  });

  it("a closed run shows the outcome at the top and no buttons", () => {
    const aborted = play(newRun(), [
      done("announce"),
      [5, { type: "abort", reason: "replica lag", by: ALICE }],
    ]);
    const message = renderRunMessage(aborted, minutesAfter(T0, 30));
    expectWithinSlackLimits(message);
    expect(message.blocks.some((block) => block.type === "actions")).toBe(false);
    expect(message.blocks[1]).toMatchObject({
      type: "section",
      text: { text: expect.stringMatching(/^🛑 \*Aborted\*: replica lag\nby <@U_ALICE>/) },
    });
    expect(allText(message)).toContain("*Took:* 5m");

    const finished = play(everythingDone(), [[11, { type: "finish", by: ALICE }]]);
    const closed = renderRunMessage(finished, minutesAfter(T0, 60));
    expectWithinSlackLimits(closed);
    expect(closed.blocks.some((block) => block.type === "actions")).toBe(false);
    expect(closed.blocks[1]).toMatchObject({
      text: { text: expect.stringMatching(/^✅ \*Finished\* by <@U_ALICE>/) },
    });
    expect(closed.text).toBe("Rules demo in qa: finished");
  });

  it("a rehearsal says so in its title, under it and in its notification text", () => {
    const message = renderRunMessage(newRun({ dryRun: true }), T0);
    expect(message.blocks[0]).toMatchObject({ text: { text: "Rules demo — 🧪 Rehearsal (dry run)" } });
    expect(JSON.stringify(message.blocks[1])).toContain(
      "🧪 Rehearsal (dry run): no AWS call is made, nothing is posted outside this thread",
    );
    expect(message.text).toMatch(/^🧪 Rehearsal \(dry run\): Rules demo in qa/);
    expect(JSON.stringify(renderRunMessage(newRun(), T0))).not.toContain("Rehearsal");
  });

  it("Finish run appears only when every step is done or skipped and no problem is open", () => {
    const almost = play(newRun(), [done("announce"), done("snapshot"), done("change")]);
    expect(buttons(renderRunMessage(almost, T0)).map((b) => b.action_id)).not.toContain("run_finish");
    const complete = everythingDone();
    expect(buttons(renderRunMessage(complete, T0)).map((b) => b.action_id)).toEqual([
      "run_finish",
      "run_abort",
      "run_pause",
    ]);
    const problem = play(complete, [[11, { type: "report_problem", text: "alerts still firing", by: BOB }]]);
    const message = renderRunMessage(problem, T0);
    expect(allText(message)).toContain("🚩 alerts still firing — <@U_BOB>");
    expect(buttons(message).map((b) => [b.action_id, b.text.text, b.value])).toEqual([
      ["run_abort", "Abort", `{"r":"run-1","v":${problem.progress}}`],
      ["problem_resolve", "Resolve: alerts still firing", `{"r":"run-1","v":${problem.progress},"p":"p1"}`],
      ["run_pause", "Pause", `{"r":"run-1","v":${problem.progress}}`],
    ]);
  });

  it("a problem on a step is flagged on that step", () => {
    const run = play(newRun(), [
      start("announce"),
      { type: "report_problem", stepId: "announce", text: "channel archived", by: BOB },
    ]);
    const message = renderRunMessage(run, minutesAfter(T0, 3));
    expect(allText(message)).toContain("🔵 *1. Announce the window*\nStarted by <@U_ALICE>");
    expect(allText(message)).toContain("🚩 channel archived — <@U_BOB>");
  });
});

const TIMED_YAML = `
id: timed
title: Timed
summary: Durations against the expected range
phases:
  - id: only
    title: Only
    steps:
      - { id: a, title: Copy the data, duration: 10m-20m }
      - { id: b, title: Rebuild the index, duration: 10m-20m }
      - { id: c, title: Warm the cache }
      - { id: d, title: Switch traffic, duration: 20m }
      - { id: e, title: Celebrate }
`;

describe("durations, overruns and skipped steps", () => {
  const run = play(newRun({}, TIMED_YAML), [
    [0, start("a")],
    [12, done("a", BOB)],
    [12, start("b")],
    [43, done("b")],
    [44, { type: "skip_step", stepId: "c", reason: "cache is cold anyway", by: ALICE }],
    [45, start("d")],
  ]);
  const text = allText(renderRunMessage(run, minutesAfter(T0, 50)));

  it("shows each duration against the expected range, and marks an overrun", () => {
    expect(text).toMatch(/✅ 1\. Copy the data — <@U_BOB> <!date[^>]+> · took 12m \(expected 10m–20m\)/);
    expect(text).toMatch(
      /✅ 2\. Rebuild the index — <@U_ALICE> <!date[^>]+> · ⚠️ took 31m \(expected 10m–20m\)/,
    );
    expect(text).toContain(
      "Started by <@U_ALICE> <!date^1795167900^{time}|2026-11-20T09:45:00.000Z> · running 5m (expected up to 20m)",
    );
  });

  it("shows who skipped a step and why", () => {
    expect(text).toContain("⏭️ 3. Warm the cache — skipped by <@U_ALICE>: cache is cold anyway");
  });
});

/** A checklist of `phases × perPhase` steps with the longest titles and some details. */
function longChecklist(phases: number, perPhase: number): string {
  const pad = (text: string, length: number) => text.padEnd(length, " lorem ipsum dolor").slice(0, length);
  return JSON.stringify({
    id: "long",
    title: pad("A very long maintenance checklist", LIMITS.titleChars),
    summary: "Many steps",
    phases: Array.from({ length: phases }, (_, p) => ({
      id: `phase-${p + 1}`,
      title: pad(`Phase ${p + 1} & more`, LIMITS.titleChars),
      steps: Array.from({ length: perPhase }, (_, s) => {
        const n = p * perPhase + s + 1;
        return {
          id: `step-${n}`,
          title: pad(`Step ${n}: check the replica lag on node ${n} <and> "confirm"`, LIMITS.titleChars),
          details: pad(`Check **everything** on node ${n} & write it down. `, 600),
          commands: [`mysql -h node-${n} -e "SHOW REPLICA STATUS\\G"`],
          duration: "5m-10m",
          verify: n % 25 === 0,
        };
      }),
    })),
  });
}

/** Completes (and verifies where needed) the first `count` steps; every 13th is skipped instead. */
function completeFirst(run: Run, count: number): Run {
  let current = run;
  run.steps.slice(0, count).forEach((step, i) => {
    const skip: RunEvent = {
      type: "skip_step",
      stepId: step.id,
      reason: "not needed on this node",
      by: ALICE,
    };
    const verified = findStep(current, step.id)?.plan.verify ? [verify(step.id)] : [];
    const events = i % 13 === 12 ? [skip] : [done(step.id), ...verified];
    current = play(
      current,
      events.map((event): [number, RunEvent] => [i, event]),
    );
  });
  return current;
}

describe("a 300-step checklist", () => {
  const fresh = newRun({}, longChecklist(6, 50));

  it.each([
    ["at the start", 0],
    ["halfway", 155],
    ["near the end", 298],
  ])("stays within Slack's limits %s, and the current step keeps its buttons", (_label, completed) => {
    const run = completeFirst(fresh, completed);
    const message = renderRunMessage(run, minutesAfter(T0, 400));
    expectWithinSlackLimits(message);
    const current = run.steps.find((step) => step.status === "pending")?.id ?? "";
    expect(buttonsOn(message, current)).toContain("step_complete");
    if (completed < 290)
      expect(allText(message)).toMatch(/…and \d+ more steps — the full list is in the thread/);
  });

  it("continues in the thread: the step list covers every step, each part within the limits", () => {
    expect(needsStepList(fresh)).toBe(true);
    const parts = renderStepList(fresh);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expectWithinSlackLimits(part);
    const text = parts.map(allText).join("\n");
    for (let n = 1; n <= 300; n++)
      expect(text).toContain(`\n${n}. Step ${n}: check the replica lag on node ${n} &lt;and&gt;`);
    expect(text).toContain("*Phase 6 &amp; more");
  });

  it("a short checklist needs no step list", () => {
    expect(needsStepList(newRun())).toBe(false);
  });

  it("aborted halfway: within the limits, no buttons", () => {
    const aborted = play(completeFirst(fresh, 150), [
      [200, { type: "abort", reason: "out of time", by: ALICE }],
    ]);
    const message = renderRunMessage(aborted, minutesAfter(T0, 400));
    expectWithinSlackLimits(message);
    expect(message.blocks.some((block) => block.type === "actions")).toBe(false);
  });

  it(`${LIMITS.stepsPerChecklist} steps in ${LIMITS.phases} phases stay within the limits too`, () => {
    const run = newRun({}, longChecklist(LIMITS.phases, LIMITS.stepsPerChecklist / LIMITS.phases));
    expectWithinSlackLimits(renderRunMessage(run, T0));
    const late = completeFirst(run, 480);
    const message = renderRunMessage(late, T0);
    expectWithinSlackLimits(message);
    expect(buttonsOn(message, "step-481")).toContain("step_start");
    for (const part of renderStepList(run)) expectWithinSlackLimits(part);
  });
});

/** 20 steps in focus at once (parallel_with_next), every text as long as the format allows. */
function longestTextsChecklist(): string {
  const fill = (unit: string, length: number) =>
    unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  const step = (i: number) => ({
    id: `step-${i + 1}`,
    title: fill(`Step ${i + 1} & <"quoted"> `, LIMITS.titleChars),
    details: fill(
      "# Heading & more\n**Bold** <tag> [link](https://example.com/a_b) `code`\n- bullet\n",
      LIMITS.detailsChars,
    ),
    links: Array.from({ length: LIMITS.linksPerStep }, (_, j) => ({
      label: fill(`Runbook ${j} & <x> `, 100),
      url: `https://example.com/${"p".repeat(1_950)}?q=${j}&r=1`,
    })),
    commands: Array.from({ length: LIMITS.commandsPerStep }, () =>
      fill('mysql -e "SELECT * FROM t WHERE a < 1 && b > 2";\n', LIMITS.commandChars),
    ),
    expect: fill("Lag < 1s & no errors. ", LIMITS.textChars),
    rollback: fill("Restore the snapshot & <call> the DBA. ", LIMITS.textChars),
    duration: "10m-20m",
    verify: true,
    parallel_with_next: i < 19,
    action: {
      type: "rds.snapshot",
      target: "instance",
      identifier: "d".repeat(200),
      snapshot: "s".repeat(255),
    },
  });
  return JSON.stringify({
    id: "longest",
    title: fill("Longest & <title> ", LIMITS.titleChars),
    summary: fill("s", LIMITS.summaryChars),
    phases: ["first", "second"].map((id, p) => ({
      id,
      title: fill(`Phase ${id} & `, LIMITS.titleChars),
      steps: Array.from({ length: 10 }, (_, i) => step(p * 10 + i)),
    })),
  });
}

describe("the longest texts the format allows, 20 steps in focus", () => {
  const fresh = newRun({ dryRun: true }, longestTextsChecklist());
  const ids = fresh.steps.map((step) => step.id);
  const longText = (i: number) => `Problem ${i}: ${"the primary <is> down & ".repeat(150)}`;

  const running = play(
    fresh,
    ids.flatMap((id, i): RunEvent[] => [
      start(id),
      { type: "report_problem", stepId: id, text: longText(i), by: BOB },
      { type: "report_problem", text: longText(i + 100), by: BOB },
    ]),
  );
  // Automated steps complete through their action's report, not a click.
  const waiting = play(
    fresh,
    ids.flatMap((id): RunEvent[] => [start(id), succeeded(id)]),
  );

  it.each([
    ["at the start", fresh],
    ["all running, each with open problems", running],
    ["waiting for verification", waiting],
  ])("stays within Slack's limits %s", (_label, run) => {
    const message = renderRunMessage(run, minutesAfter(T0, 90));
    expectWithinSlackLimits(message);
    expect(buttonsOn(message, "step-1").length).toBeGreaterThan(0);
    expect((message.blocks[0] as { text: { text: string } }).text.text).toMatch(
      / — 🧪 Rehearsal \(dry run\)$/,
    );
  });

  it("shows the current step's details, cut with a pointer to the checklist", () => {
    const message = renderRunMessage(
      play(
        fresh,
        ids.slice(1).flatMap((id): RunEvent[] => [start(id), succeeded(id), verify(id)]),
      ),
      T0,
    );
    expectWithinSlackLimits(message);
    const text = allText(message);
    expect(text).toContain(
      "*Heading &amp; more*\n*Bold* &lt;tag&gt; <https://example.com/a_b|link> `code`\n• bullet",
    );
    expect(text).toContain("… (full text in the checklist)");
  });
});
