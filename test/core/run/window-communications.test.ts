import { describe, expect, it } from "vitest";
import type { Step } from "../../../src/core/checklist/schema.js";
import { renderStepText } from "../../../src/core/checklist/template.js";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { overrunUpdateDue } from "../../../src/core/run/communications.js";
import { createRun } from "../../../src/core/run/create-run.js";
import type { Effect } from "../../../src/core/run/effects.js";
import { liveStepText, liveValues, windowFigures } from "../../../src/core/run/eta.js";
import type { Run, RunEvent } from "../../../src/core/run/run-schema.js";
import { checklistFromYaml, minutesAfter, newRun, T0 } from "../../support/checklist-fixtures.js";
import { acceptedOf } from "../../support/run-play.js";

const ALICE = "U_ALICE";

const YAML = `
id: window
title: Window {{env}}
summary: A short maintenance window
parameters:
  env: { type: enum, values: [qa, prod], default: prod }
stakeholders: "#business-updates"
status_page:
  url: https://status.example.com/api/incidents
  auth_header_env: STATUS_PAGE_AUTH
  body: { status: "{{run.update}}", eta: "{{run.eta}}", downtime: "{{run.downtime}}" }
phases:
  - id: all
    title: All
    steps:
      - id: prepare
        title: Prepare
        duration: 10m-20m
      - id: stop-app
        title: Stop the app
        duration: 5m
        downtime: start
      - id: migrate
        title: Migrate
        duration: 30m
      - id: start-app
        title: Start the app
        duration: 5m
        downtime: end
      - id: only-qa
        title: Only in QA
        duration: 2h
        when: env == qa
`;

const act = (run: Run, event: RunEvent, minutes: number) =>
  acceptedOf(applyEvent(run, event, minutesAfter(T0, minutes)));
const start = (stepId: string): RunEvent => ({ type: "start_step", stepId, by: ALICE });
const done = (stepId: string): RunEvent => ({ type: "complete_step", stepId, by: ALICE });
const texts = (effects: Effect[]) =>
  effects.flatMap((effect) => (effect.type === "post_stakeholders" ? [effect.text] : []));

describe("ETA arithmetic", () => {
  it("plans the end from the applicable steps' expected maximums and projects from what remains", () => {
    const run = newRun({}, YAML);
    const atStart = windowFigures(run, T0);
    // 20m + 5m + 30m + 5m; the QA-only 2h step does not apply in prod.
    expect(new Date(atStart.plannedEndMs).toISOString()).toBe("2026-11-20T10:00:00.000Z");
    expect(atStart.plannedDowntimeMs).toBe(40 * 60_000);

    // prepare took 25m (5m over), stop-app started at 26m and runs: 5m + 30m + 5m remain from 26m.
    let later = act(run, start("prepare"), 0).run;
    later = act(later, done("prepare"), 25).run;
    later = act(later, start("stop-app"), 26).run;
    const figures = windowFigures(later, minutesAfter(T0, 27));
    expect(new Date(figures.projectedEndMs).toISOString()).toBe("2026-11-20T10:06:00.000Z");
    expect(figures.overrunning).toBe(true);
    expect(figures.downtimeMs).toBe(60_000);
    expect(liveValues(later, minutesAfter(T0, 27))).toEqual({
      "run.eta": "10:06 UTC",
      "run.planned_end": "10:00 UTC",
      "run.downtime": "1m",
      "run.planned_downtime": "40m",
    });
  });

  it("a step's text gets the live figures as of the drawing, its Markdown values escaped as text", () => {
    const run = newRun({}, YAML);
    const step = {
      id: "tell",
      title: "Tell them {{run.eta}}",
      details: "Back by **{{run.eta}}** (down {{run.downtime}})",
      commands: ["echo {{run.planned_downtime}}"],
      skippable: true,
    };
    const live = liveStepText(run, minutesAfter(T0, 5))(step as unknown as Step);
    expect(live).toMatchObject({
      title: "Tell them 10:05 UTC",
      details: "Back by **10:05 UTC** (down no downtime yet)",
      commands: ["echo 40m"],
    });
    // A value is text, never markup, where the step's text is Markdown.
    const values = () => ({ "run.eta": "*soon* [x](y)" });
    expect(renderStepText(step, values).details).toBe(
      "Back by **\\*soon\\* \\[x\\]\\(y\\)** (down {{run.downtime}})",
    );
    // A step naming no template is the same step, and the figures are not computed for it.
    const plain = { title: "Stop" };
    expect(renderStepText(plain, () => expect.unreachable())).toBe(plain);
  });

  it("paused time shifts the planned end (the hook pause fills in)", () => {
    const run = newRun({}, YAML);
    const paused = windowFigures(run, T0, [
      { from: T0.toISOString(), to: minutesAfter(T0, 30).toISOString() },
    ]);
    expect(new Date(paused.plannedEndMs).toISOString()).toBe("2026-11-20T10:30:00.000Z");
  });
});

describe("stakeholder updates", () => {
  it("the start goes to the stakeholders and the status page with the planned figures", () => {
    const result = createRun({
      id: "run-1",
      checklist: checklistFromYaml(YAML),
      source: { hash: "test" },
      params: {},
      channel: "C_OPS",
      owner: ALICE,
      now: T0,
      priorRuns: [],
    });
    if (!result.ok) throw new Error(result.refusal.message);
    expect(texts(result.effects)).toEqual([
      '🔧 Maintenance started: "Window prod". Expected to end by 10:00 UTC; planned downtime 40m. Updates follow here.',
    ]);
    const call = result.effects.find((effect) => effect.type === "call_status_page");
    expect(call && JSON.parse(call.body)).toEqual({
      status: "start",
      eta: "10:00 UTC",
      downtime: "no downtime yet",
    });
    // From the planned end on, a timer looks for overruns even when nobody touches the run.
    expect(result.effects).toContainEqual({ type: "schedule_window_check", at: "2026-11-20T10:00:00.000Z" });
  });

  it("a rehearsal only shows them in its thread and calls no status page", () => {
    const result = createRun({
      id: "run-1",
      checklist: checklistFromYaml(YAML),
      source: { hash: "test" },
      params: {},
      channel: "C_OPS",
      owner: ALICE,
      dryRun: true,
      now: T0,
      priorRuns: [],
    });
    if (!result.ok) throw new Error(result.refusal.message);
    expect(result.effects.some((effect) => effect.type === "call_status_page")).toBe(false);
    const posts = result.effects.filter((effect) => effect.type === "post_stakeholders");
    expect(posts.map((post) => [post.rehearsal, post.channel])).toEqual([
      [true, "#business-updates"],
      [true, undefined],
    ]);
    expect(posts[1]?.text).toContain(
      "Status page (not called in a rehearsal): would POST to https://status.example.com/api/incidents",
    );
  });

  it("an overrun is told at most every 15 minutes, each time with a later estimate, and the end with the real downtime", () => {
    let run = newRun({}, YAML);
    run = act(run, start("prepare"), 0).run;
    // Done at 50m: 30m over its maximum. The projected end (10:30) passes the announced 10:00.
    const late = act(run, done("prepare"), 50);
    expect(texts(late.effects)).toEqual([
      '⏳ "Window prod" is taking longer than announced: now expected to end at 10:30 UTC (announced 10:00 UTC, 30m later).',
    ]);
    const call = late.effects.find((effect) => effect.type === "call_status_page");
    expect(call).toMatchObject({ moment: "overrun", authHeaderEnv: "STATUS_PAGE_AUTH" });
    expect(JSON.parse((call as { body: string }).body)).toEqual({
      status: "overrun",
      eta: "10:30 UTC",
      downtime: "no downtime yet",
    });

    // 10 minutes later the estimate is later still (10:40), but within 15 minutes nothing is said.
    run = act(late.run, start("stop-app"), 60).run;
    expect(overrunUpdateDue(run, minutesAfter(T0, 60))).toBe(false);
    // 16 minutes after the first update the estimate is later: a new one.
    const again = act(run, done("stop-app"), 66);
    expect(texts(again.effects)).toEqual([
      '⏳ "Window prod" is taking longer than announced: now expected to end at 10:41 UTC (announced 10:00 UTC, 41m later).',
    ]);

    run = act(again.run, done("migrate"), 80).run;
    run = act(run, done("start-app"), 85).run;
    const finished = act(run, { type: "finish", by: ALICE }, 86);
    expect(texts(finished.effects)).toEqual([
      '✅ Maintenance finished: "Window prod" ended at 10:26 UTC after 1h 26m; everything is back. Actual downtime: 25m (planned 40m).',
    ]);
  });
});
