import type { Step } from "../checklist/schema.js";
import type { Run, StepState, StepStatus } from "./run-schema.js";

/** Questions about a run's steps that the engine and the renderers both ask. */

export interface LocatedStep {
  index: number;
  plan: Step;
  state: StepState;
  phaseId: string;
}

// The plan never changes during a run: flatten it once per plan object, not on every lookup.
const flattened = new WeakMap<Run["plan"], { plan: Step; phaseId: string }[]>();
const indexes = new WeakMap<Run["steps"], Map<string, number>>();

export function planSteps(run: Run): { plan: Step; phaseId: string }[] {
  let steps = flattened.get(run.plan);
  if (!steps) {
    steps = run.plan.phases.flatMap((phase) => phase.steps.map((plan) => ({ plan, phaseId: phase.id })));
    flattened.set(run.plan, steps);
  }
  return steps;
}

function indexOf(run: Run, stepId: string): number {
  let index = indexes.get(run.steps);
  if (!index) {
    index = new Map(run.steps.map((step, i) => [step.id, i]));
    indexes.set(run.steps, index);
  }
  return index.get(stepId) ?? -1;
}

export function findStep(run: Run, stepId: string): LocatedStep | undefined {
  const index = indexOf(run, stepId);
  const planned = planSteps(run)[index];
  const state = run.steps[index];
  if (index < 0 || !planned || !state) return undefined;
  return { index, plan: planned.plan, state, phaseId: planned.phaseId };
}

export function isFinished(status: StepStatus): boolean {
  return status === "done" || status === "skipped" || status === "not_applicable";
}

/**
 * The earlier step that keeps step `index` from starting, if any. An earlier step may stay
 * unfinished only when every step from it up to this one is marked parallel_with_next.
 */
export function blockingStep(run: Run, index: number): LocatedStep | undefined {
  const planned = planSteps(run);
  let chained = true;
  // Rollback steps (appended last) wait only for the rollback steps before them.
  const firstRollback = firstRollbackIndex(run);
  const floor = index >= firstRollback ? firstRollback : 0;
  for (let j = index - 1; j >= floor; j--) {
    chained = chained && (planned[j]?.plan.parallel_with_next ?? false);
    const state = run.steps[j];
    if (!chained && state && !isFinished(state.status)) return findStep(run, state.id);
  }
  return undefined;
}

/** Index of the first rollback step in the plan (its phase is appended last); the plan's length without one. */
function firstRollbackIndex(run: Run): number {
  const planned = planSteps(run);
  const phaseId = run.rollback?.phaseId;
  const index = phaseId === undefined ? -1 : planned.findIndex((step) => step.phaseId === phaseId);
  return index < 0 ? planned.length : index;
}

/**
 * Who may verify a step: the step's list, else its environment's, else the checklist's, else
 * anyone (but never the completer). Lists may name user groups (people.ts).
 */
export function namedVerifiers(run: Run, step: Step): string[] | undefined {
  const environment =
    run.environment === undefined ? undefined : run.plan.rules.environments?.[run.environment];
  return step.verifiers ?? environment?.verifiers ?? run.plan.rules.verifiers;
}

/** Owner and buddy lead the run: they may hand it over, abort it or finish it. */
export function leadsRun(run: Run, userId: string): boolean {
  return userId === run.owner || userId === run.buddy;
}

/**
 * A step people are working on or may take up now: running, waiting for a verifier or an
 * approver, or not finished and not held back by an earlier step. The run message shows these
 * in full, with their buttons.
 */
export function inFocus(run: Run, located: LocatedStep): boolean {
  const { status } = located.state;
  // Rolling back, the steps of the way forward that were not under way are left as they are.
  if (
    run.rollback &&
    located.phaseId !== run.rollback.phaseId &&
    (status === "pending" || status === "failed")
  )
    return false;
  if (status === "running" || status === "awaiting_verification" || status === "awaiting_approval")
    return true;
  return (status === "pending" || status === "failed") && blockingStep(run, located.index) === undefined;
}

export function unfinishedSteps(run: Run): LocatedStep[] {
  return run.steps
    .filter((step) => !isFinished(step.status))
    .map((step) => findStep(run, step.id))
    .filter((located): located is LocatedStep => located !== undefined);
}

export function openProblems(run: Run) {
  return run.problems.filter((problem) => problem.resolvedAt === undefined);
}

export function describeStatus(status: StepStatus): string {
  switch (status) {
    case "pending":
      return "not started";
    case "awaiting_approval":
      return "waiting for a teammate to approve the change";
    case "running":
      return "in progress";
    case "awaiting_verification":
      return "waiting for a teammate to verify";
    case "done":
      return "done";
    case "skipped":
      return "skipped";
    case "failed":
      return "failed";
    case "not_applicable":
      return "not applicable";
  }
}

/** The run's environment is marked `protected` in the checklist. */
export function isProtected(run: Run): boolean {
  if (run.environment === undefined) return false;
  return run.plan.rules.environments?.[run.environment]?.protected ?? false;
}

/** Actions that change or destroy something in AWS: two people in a protected environment. */
const MUTATING = new Set(["rds.modify", "rds.delete_snapshot"]);

/** Whether the step waits for a teammate's approval before it runs (or is marked done). */
export function needsApproval(run: Run, located: Pick<LocatedStep, "plan">): boolean {
  // A point of no return (`irreversible: true`) needs a teammate's go in any environment.
  if (located.plan.irreversible && !run.dryRun) return true;
  const action = located.plan.action;
  if (!action || !MUTATING.has(action.type) || run.dryRun) return false;
  return isProtected(run);
}
