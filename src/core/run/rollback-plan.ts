import { LIMITS, type Phase, type Step } from "../checklist/schema.js";
import type { Run, StepState, StepStatus } from "./run-schema.js";
import { planSteps } from "./step-rules.js";

/**
 * Rollback as a mode of the run: the steps it switches to. Either the checklist's own `rollback:`
 * phase, or the `rollback` (and `rollback_action`) of every step that was under way or done, newest
 * first. They are appended to the run's plan as one more phase, so they are worked, verified,
 * timed and shown like any step, and the post-mortem shows both paths.
 */

/** Steps that may have changed something: done, or started and not (yet) finished. */
const TOUCHED = new Set<StepStatus>(["done", "awaiting_verification", "running", "failed"]);
const ROLLBACK_TITLE = "Roll back";
const UNDO = "Undo: ";

export interface RollbackPlan {
  phase: Phase;
  source: "steps" | "phase";
}

/** The rollback phase for this run now; undefined when there is nothing to undo. */
export function rollbackPlan(run: Run): RollbackPlan | undefined {
  const phaseId = freePhaseId(run);
  const declared = run.plan.rollback;
  if (declared) {
    const title = declared.title ?? ROLLBACK_TITLE;
    return { phase: { id: phaseId, title, steps: declared.steps }, source: "phase" };
  }
  const touched = planSteps(run).filter(
    (entry, index) =>
      (entry.plan.rollback !== undefined || entry.plan.rollback_action !== undefined) &&
      TOUCHED.has(run.steps[index]?.status ?? "pending"),
  );
  if (touched.length === 0) return undefined;
  const ids = new Set(run.steps.map((step) => step.id));
  const steps = touched.reverse().map(({ plan }) => undoStep(plan, ids));
  return { phase: { id: phaseId, title: ROLLBACK_TITLE, steps }, source: "steps" };
}

/** The run with the rollback phase appended to its plan and its steps pending. */
export function withRollbackPhase(run: Run, phase: Phase): Run {
  const states: StepState[] = phase.steps.map((step) => ({ id: step.id, status: "pending", results: {} }));
  return {
    ...run,
    plan: { ...run.plan, phases: [...run.plan.phases, phase] },
    steps: [...run.steps, ...states],
  };
}

function undoStep(plan: Step, taken: Set<string>): Step {
  let id = `undo-${plan.id}`;
  for (let n = 2; taken.has(id); n++) id = `undo-${plan.id}-${n}`;
  taken.add(id);
  const title = `${UNDO}${plan.title}`.slice(0, LIMITS.titleChars);
  return {
    id,
    title,
    ...(plan.rollback !== undefined ? { details: plan.rollback } : {}),
    // Verified where the original was: a teammate checks the undo too.
    verify: plan.verify,
    ...(plan.verifiers ? { verifiers: plan.verifiers } : {}),
    skippable: true,
    parallel_with_next: false,
    ...(plan.rollback_action ? { action: plan.rollback_action } : {}),
  };
}

function freePhaseId(run: Run): string {
  const ids = new Set(run.plan.phases.map((phase) => phase.id));
  let id = "rollback";
  for (let n = 2; ids.has(id); n++) id = `rollback-${n}`;
  return id;
}
