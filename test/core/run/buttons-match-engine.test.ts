import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { createRun } from "../../../src/core/run/create-run.js";
import { PREFLIGHT_USER, type Run, type RunEvent } from "../../../src/core/run/run-schema.js";
import { findStep, inFocus, openProblems } from "../../../src/core/run/step-rules.js";
import { ACTION_IDS } from "../../../src/slack/ids.js";
import { renderRunMessage } from "../../../src/slack/render/run-message.js";
import {
  checklistFromYaml,
  minutesAfter,
  RULES_CHECKLIST_YAML,
  T0,
} from "../../support/checklist-fixtures.js";
import { UPGRADE_YAML } from "../../support/summary-fixtures.js";

/**
 * Property: over seeded random walks of runs, the run message draws a button exactly when the
 * engine accepts its action from someone. Every drawn button is accepted for at least one of the
 * people around the run; every step action, Finish, Abort and Resolve the engine accepts from
 * someone has its button.
 */

const OWNER = "UALICE";
const BUDDY = "UBOB";
const TEAMMATE = "UCAROL";
const NAMED = "UDAVE";
const PEOPLE = [OWNER, BUDDY, TEAMMATE, NAMED];

const NAMED_RULES = RULES_CHECKLIST_YAML.replace(
  "rules:\n",
  `rules:\n  participants: [${NAMED}]\n  verifiers: [${NAMED}, ${BUDDY}]\n`,
);
const OPEN_RULES = UPGRADE_YAML.replace("rules:\n", "rules:\n  participants: channel\n");

const CHECKLISTS: { name: string; yaml: string; params?: Record<string, string>; buddy?: string }[] = [
  { name: "rules fixture", yaml: RULES_CHECKLIST_YAML },
  { name: "rules fixture without a buddy", yaml: RULES_CHECKLIST_YAML, buddy: "" },
  { name: "named participants and verifiers", yaml: NAMED_RULES },
  { name: "automated upgrade, protected prod, open to the channel", yaml: OPEN_RULES },
  {
    name: "shipped db-upgrade in prod",
    yaml: readFileSync("checklists/db-upgrade.yaml", "utf8"),
    params: { env: "prod" },
  },
  {
    name: "shipped maintenance-window",
    yaml: readFileSync("checklists/maintenance-window.yaml", "utf8"),
    params: { system: "billing", status_page: "https://status.example.com", window: "Sat 22:00-23:00" },
  },
];

/** mulberry32: small, seeded, good enough to pick among a few choices. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface DrawnButton {
  actionId: string;
  value: { r: string; s?: string; p?: string; v: number };
}

function buttonsOf(run: Run, now: Date): DrawnButton[] {
  const { blocks } = renderRunMessage(run, now);
  return blocks.flatMap((block) =>
    block.type === "actions"
      ? block.elements.flatMap((element) =>
          element.type === "button" && element.value
            ? [{ actionId: element.action_id ?? "", value: JSON.parse(element.value) }]
            : [],
        )
      : [],
  );
}

/** The event a click (and, for buttons that ask for words, its form) becomes. */
function eventOf(button: DrawnButton, by: string): RunEvent {
  const { s, p, v } = button.value;
  const base = { by, expectedProgress: v };
  const stepId = s ?? "";
  switch (button.actionId) {
    case ACTION_IDS.startStep:
      return { type: "start_step", stepId, ...base };
    case ACTION_IDS.completeStep:
      return { type: "complete_step", stepId, ...base };
    case ACTION_IDS.verifyStep:
      return { type: "verify_step", stepId, ...base };
    case ACTION_IDS.approveStep:
      return { type: "approve_step", stepId, ...base };
    case ACTION_IDS.skipStep:
      return { type: "skip_step", stepId, reason: "not needed", ...base };
    case ACTION_IDS.reportProblem:
      return { type: "report_problem", stepId, text: "it broke", ...base };
    case ACTION_IDS.addNote:
      return { type: "add_note", stepId, text: "a note", source: "button", ...base };
    case ACTION_IDS.resolveProblem:
      return { type: "resolve_problem", problemId: p ?? "", resolution: "fixed", ...base };
    case ACTION_IDS.finishRun:
      return { type: "finish", ...base };
    case ACTION_IDS.abortRun:
      return { type: "abort", reason: "stop", ...base };
    case ACTION_IDS.decideContinue:
      return { type: "decide", stepId, option: "continue", reason: "go", ...base };
    case ACTION_IDS.decidePause:
      return { type: "decide", stepId, option: "pause", reason: "wait", ...base };
    case ACTION_IDS.decideRollBack:
      return { type: "decide", stepId, option: "roll_back", reason: "back", ...base };
    case ACTION_IDS.decideAbort:
      return { type: "decide", stepId, option: "abort", reason: "stop", ...base };
    case ACTION_IDS.pauseRun:
      return { type: "pause_run", reason: "wait", ...base };
    case ACTION_IDS.resumeRun:
      return { type: "resume_run", reason: "go on", ...base };
    case ACTION_IDS.rollBackRun:
      return { type: "roll_back", reason: "back", ...base };
    case ACTION_IDS.doneByHand:
      return { type: "done_by_hand", stepId, text: "by hand", ...base };
    default:
      throw new Error(`a button the engine has no event for: ${button.actionId}`);
  }
}

const acceptedBySomeone = (run: Run, make: (by: string) => RunEvent, now: Date) =>
  PEOPLE.some((by) => applyEvent(run, make(by), now).accepted);

const BUTTON_OF: Partial<Record<RunEvent["type"], string>> = {
  start_step: ACTION_IDS.startStep,
  complete_step: ACTION_IDS.completeStep,
  verify_step: ACTION_IDS.verifyStep,
  approve_step: ACTION_IDS.approveStep,
  skip_step: ACTION_IDS.skipStep,
};

/** Both directions of the property, for the run as it is now; returns what is wrong. */
function mismatches(run: Run, now: Date): string[] {
  const wrong: string[] = [];
  const drawn = buttonsOf(run, now);
  for (const button of drawn) {
    if (!acceptedBySomeone(run, (by) => eventOf(button, by), now))
      wrong.push(
        `drawn but refused to everyone: ${button.actionId} ${button.value.s ?? button.value.p ?? ""}`,
      );
  }
  const has = (actionId: string, key?: { s?: string; p?: string }) =>
    drawn.some(
      (b) =>
        b.actionId === actionId &&
        (key?.s === undefined || b.value.s === key.s) &&
        (key?.p === undefined || b.value.p === key.p),
    );
  for (const step of run.steps) {
    const stepEvents: ((by: string) => RunEvent)[] = [
      (by) => ({ type: "start_step", stepId: step.id, by }),
      (by) => ({ type: "complete_step", stepId: step.id, by }),
      (by) => ({ type: "verify_step", stepId: step.id, by }),
      (by) => ({ type: "approve_step", stepId: step.id, by }),
      (by) => ({ type: "skip_step", stepId: step.id, reason: "not needed", by }),
    ];
    for (const make of stepEvents) {
      const type = make(OWNER).type;
      if (acceptedBySomeone(run, make, now) && !has(BUTTON_OF[type] ?? "", { s: step.id }))
        wrong.push(`accepted but no button: ${type} ${step.id}`);
    }
    // Notes and problems are taken on any step (one about a finished step is still worth keeping);
    // the message offers them on the steps in focus, and the thread takes the rest.
    const located = findStep(run, step.id);
    if (located && run.status === "active" && inFocus(run, located)) {
      if (!has(ACTION_IDS.addNote, { s: step.id })) wrong.push(`no Add note on ${step.id}`);
      if (!has(ACTION_IDS.reportProblem, { s: step.id })) wrong.push(`no Report problem on ${step.id}`);
    }
  }
  if (acceptedBySomeone(run, (by) => ({ type: "finish", by }), now) && !has(ACTION_IDS.finishRun))
    wrong.push("accepted but no button: finish");
  if (
    acceptedBySomeone(run, (by) => ({ type: "abort", reason: "stop", by }), now) &&
    !has(ACTION_IDS.abortRun)
  )
    wrong.push("accepted but no button: abort");
  for (const problem of openProblems(run)) {
    const resolve = (by: string): RunEvent => ({
      type: "resolve_problem",
      problemId: problem.id,
      resolution: "x",
      by,
    });
    if (acceptedBySomeone(run, resolve, now) && !has(ACTION_IDS.resolveProblem, { p: problem.id }))
      wrong.push(`accepted but no button: resolve ${problem.id}`);
  }
  return wrong;
}

/** The next event of a walk: mostly a drawn button by someone, sometimes anything at all. */
function nextEvent(run: Run, now: Date, rand: () => number): RunEvent {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const by = pick(PEOPLE);
  const running = run.steps.filter((s) => s.status === "running" && findStep(run, s.id)?.plan.action);
  if (running.length > 0 && rand() < 0.5) {
    const step = pick(running);
    return rand() < 0.8
      ? { type: "action_succeeded", stepId: step.id, results: { id: "snap-1" }, by: PREFLIGHT_USER }
      : { type: "action_failed", stepId: step.id, error: "throttled", by: PREFLIGHT_USER };
  }
  const buttons = buttonsOf(run, now).filter(
    (b) =>
      // Aborting ends the walk: rare. The message offers Resolve for three open problems at a time.
      (b.actionId !== ACTION_IDS.abortRun || rand() < 0.05) &&
      // Rolling back and pausing change the whole run: rare too.
      (b.actionId !== ACTION_IDS.rollBackRun || rand() < 0.05) &&
      (b.actionId !== ACTION_IDS.pauseRun || rand() < 0.1) &&
      (b.actionId !== ACTION_IDS.reportProblem || openProblems(run).length < 3),
  );
  if (buttons.length > 0 && rand() < 0.85) return eventOf(pick(buttons), by);
  const step = pick(run.steps).id;
  return pick<RunEvent>([
    { type: "start_step", stepId: step, by },
    { type: "complete_step", stepId: step, by },
    { type: "skip_step", stepId: step, reason: "why not", by },
    { type: "verify_step", stepId: step, by },
    { type: "add_note", stepId: step, text: "n", source: "thread", by },
    { type: "finish", by },
  ]);
}

describe("the run message draws a button exactly when the engine accepts it from someone", () => {
  for (const checklist of CHECKLISTS) {
    it(checklist.name, () => {
      for (let seed = 1; seed <= 3; seed++) {
        const rand = random(seed);
        const created = createRun({
          id: `run-${seed}`,
          checklist: checklistFromYaml(checklist.yaml),
          source: { hash: "test" },
          params: checklist.params ?? {},
          channel: "C_OPS",
          owner: OWNER,
          ...(checklist.buddy === "" ? {} : { buddy: checklist.buddy ?? BUDDY }),
          now: T0,
          priorRuns: [],
          preview: true,
        });
        if (!created.ok) throw new Error(created.refusal.message);
        let run = created.run;
        for (let i = 1; i <= 30 && run.status === "active"; i++) {
          const now = minutesAfter(T0, i);
          expect(mismatches(run, now), `${checklist.name}, seed ${seed}, after ${i - 1} events`).toEqual([]);
          const decision = applyEvent(run, nextEvent(run, now, rand), now);
          if (decision.accepted) run = decision.run;
        }
        expect(buttonsOf(run, minutesAfter(T0, 50)).length > 0).toBe(run.status === "active");
      }
    });
  }
});
