import { parseChecklist } from "../../src/core/checklist/parse-checklist.js";
import type { Checklist } from "../../src/core/checklist/schema.js";
import type { Scheduler } from "../../src/core/ports.js";
import { type CreateRunInput, createRun } from "../../src/core/run/create-run.js";
import type { Run } from "../../src/core/run/run-schema.js";

/** Parses YAML through the real schema (defaults included); throws with the problems if invalid. */
export function checklistFromYaml(yaml: string): Checklist {
  const result = parseChecklist(yaml, "fixture.yaml");
  if (!result.ok)
    throw new Error(result.problems.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`).join("\n"));
  return result.checklist;
}

/**
 * A small checklist with one of everything the rules care about:
 * a plain step, a verified step, a non-skippable step, a parallel pair, a timed step, reminders.
 */
export const RULES_CHECKLIST_YAML = `
id: rules-demo
title: Rules demo
summary: One of everything the run rules care about
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
  snapshot: { type: string, default: "demo-{{env}}-{{date}}" }
phases:
  - id: before
    title: Before
    steps:
      - id: announce
        title: Announce the window
      - id: snapshot
        title: Take snapshot {{snapshot}}
        skippable: false
        duration: 5m-10m
  - id: during
    title: During
    steps:
      - id: change
        title: Apply the change
        verify: true
        downtime: start
      - id: warm-cache
        title: Warm the cache
        parallel_with_next: true
      - id: smoke-test
        title: Smoke test
        downtime: end
  - id: after
    title: After
    steps:
      - id: notify
        title: Notify the business
reminders:
  - id: delete-snapshot
    on: step.done
    step: snapshot
    after: 30d
    keep_on_abort: true
    text: Delete snapshot {{snapshot}}
  - id: tell-business
    on: run.finished
    channel: "#business"
    text: "{{checklist.title}} finished in {{env}}"
rules:
  environment: env
  environments:
    prod: { requires_completed: [qa] }
`;

export const T0 = new Date("2026-11-20T09:00:00Z");

export function minutesAfter(start: Date, minutes: number): Date {
  return new Date(start.getTime() + minutes * 60_000);
}

export function newRun(overrides: Partial<CreateRunInput> = {}, yaml = RULES_CHECKLIST_YAML): Run {
  const result = createRun({
    id: "run-1",
    checklist: checklistFromYaml(yaml),
    source: { hash: "test" },
    params: {},
    channel: "C_OPS",
    owner: "U_ALICE",
    buddy: "U_BOB",
    now: T0,
    priorRuns: [],
    ...overrides,
  });
  if (!result.ok) throw new Error(result.refusal.message);
  return result.run;
}

/** A scheduler that schedules nothing (effect runner tests that are about something else). */
export const idleScheduler: Scheduler = {
  scheduleReminder: async () => {},
  cancelReminders: async () => {},
  scheduleOverrunNudges: async () => {},
  cancelOverrunNudges: async () => {},
};
