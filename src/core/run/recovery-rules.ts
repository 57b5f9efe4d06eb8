import type { RunAction } from "./actions.js";
import { mentions } from "./create-run.js";
import type { Refusal, RefusalCode } from "./effects.js";
import { openPause } from "./paused-time.js";
import { describeNamed, isGroup, isNamed } from "./people.js";
import { rollbackPlan } from "./rollback-plan.js";
import type { Run } from "./run-schema.js";
import { blockingStep, describeStatus, findStep, type LocatedStep } from "./step-rules.js";

/**
 * When things go wrong or run long: what a paused run, a run rolling back and a decision point
 * allow (permissions.ts asks before its own rules), and who decides at a decision point.
 */

/** Nothing moves while the run is paused: notes, problems, hand-over, abort and resume still do. */
const HELD_WHILE_PAUSED = new Set<RunAction["type"]>([
  "start_step",
  "complete_step",
  "skip_step",
  "verify_step",
  "approve_step",
  "decide",
  "done_by_hand",
  "finish",
  "roll_back",
]);

/** While the run rolls back, the steps of the way forward are not worked any more. */
const FORWARD_WORK = new Set<RunAction["type"]>([
  "start_step",
  "complete_step",
  "skip_step",
  "verify_step",
  "approve_step",
  "decide",
  "done_by_hand",
]);

/** The first index of the rollback steps (they follow every planned step), or undefined. */
export function rollbackStart(run: Run): number | undefined {
  if (!run.rollback) return undefined;
  const phaseId = run.rollback.phaseId;
  const phase = run.plan.phases.find((p) => p.id === phaseId);
  return phase ? run.steps.length - phase.steps.length : undefined;
}

export function isRollbackStep(run: Run, located: LocatedStep): boolean {
  return run.rollback !== undefined && located.phaseId === run.rollback.phaseId;
}

/** Why the run's mode (paused, rolling back) or a decision point refuses the action; undefined when it doesn't. */
export function recoveryRefusal(run: Run, action: RunAction): Refusal | undefined {
  if (run.status !== "active") return undefined;
  const paused = openPause(run);
  if (paused && HELD_WHILE_PAUSED.has(action.type)) {
    const { by, reason } = paused;
    return refusal(
      "paused",
      `This run is paused (by ${mentions([by])}: ${reason}). Resume it first: /maintenance resume ${run.id} <reason>, or the Resume button.`,
    );
  }
  const located = "stepId" in action && action.stepId ? findStep(run, action.stepId) : undefined;
  if (run.rollback && located && FORWARD_WORK.has(action.type) && !isRollbackStep(run, located))
    return refusal(
      "rolling_back",
      `This run is rolling back (${run.rollback.reason}): "${located.plan.title}" is not worked any more. Work the rollback steps, then finish the roll back.`,
    );
  if (located?.plan.decision && ["start_step", "complete_step", "skip_step"].includes(action.type))
    return refusal(
      "wrong_state",
      `"${located.plan.title}" is a decision point: ${deciderText(run, located)} picks one of its options, with a reason.`,
    );
  switch (action.type) {
    case "decide":
      return located ? decideRefusal(run, located) : unknownStep(action.stepId);
    case "done_by_hand":
      return located ? byHandRefusal(located) : unknownStep(action.stepId);
    case "pause_run":
      return paused ? refusal("wrong_state", "This run is already paused.") : undefined;
    case "resume_run":
      return paused ? undefined : refusal("wrong_state", "This run is not paused.");
    case "roll_back":
      if (run.rollback)
        return refusal("wrong_state", `This run is already rolling back (${run.rollback.reason}).`);
      return rollbackPlan(run)
        ? undefined
        : refusal(
            "wrong_state",
            "Nothing done so far has a rollback, so there is nothing to roll back: abort the run instead, with a reason.",
          );
    default:
      return undefined;
  }
}

function decideRefusal(run: Run, located: LocatedStep): Refusal | undefined {
  const { plan, state } = located;
  if (!plan.decision) return refusal("wrong_state", `"${plan.title}" is not a decision point.`);
  if (state.status !== "pending")
    return refusal("wrong_state", `"${plan.title}" was decided already (${describeStatus(state.status)}).`);
  const blocker = blockingStep(run, located.index);
  if (blocker)
    return refusal(
      "out_of_order",
      `"${plan.title}" can't be decided yet: "${blocker.plan.title}" comes first and is ${describeStatus(blocker.state.status)}.`,
    );
  return undefined;
}

function byHandRefusal(located: LocatedStep): Refusal | undefined {
  const { plan, state } = located;
  if (!plan.action && !plan.rollback_action)
    return refusal("wrong_state", `"${plan.title}" is not automated: mark it done instead.`);
  if (state.status !== "failed")
    return refusal(
      "wrong_state",
      `"${plan.title}" is ${describeStatus(state.status)}; only a failed automated step can be done by hand.`,
    );
  return undefined;
}

/**
 * Who a decision point names: the run's owner or buddy as they are now (the owner when the
 * run has no buddy, so a run alone is never stuck), a named user, or a user group (`S…`).
 */
export function deciderOf(run: Run, located: LocatedStep): string | undefined {
  const decider = located.plan.decision?.decider;
  if (decider === "owner") return run.owner;
  if (decider === "buddy") return run.buddy ?? run.owner;
  return decider;
}

function deciderText(run: Run, located: LocatedStep): string {
  const decider = deciderOf(run, located);
  return decider ? describeNamed([decider]) : "the decider the checklist names";
}

/** Who may pick at a decision point: only its decider. */
export function deciderAudience(run: Run, stepId: string) {
  const located = findStep(run, stepId) as LocatedStep;
  const decider = deciderOf(run, located);
  return {
    // A user group decides through any of its members (the service passes the user's groups).
    admits: (user: string, groups: readonly string[] = []) =>
      decider !== undefined && isNamed([decider], user, groups),
    someone: decider !== undefined,
    refusal: (): Refusal =>
      refusal(
        "not_decider",
        `Only ${deciderText(run, located)} ${decider && isGroup(decider) ? "decide" : "decides"} "${located.plan.title}" (the checklist names the decider).`,
      ),
  };
}

function unknownStep(stepId: string): Refusal {
  return refusal("unknown_step", `This run has no step "${stepId}".`);
}

function refusal(code: RefusalCode, message: string): Refusal {
  return { code, message };
}
