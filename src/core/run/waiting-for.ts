import { assigneeOf, isNamed } from "./people.js";
import { can } from "./permissions.js";
import type { Run } from "./run-schema.js";
import {
  inFocus,
  isFinished,
  type LocatedStep,
  leadsRun,
  namedVerifiers,
  unfinishedSteps,
} from "./step-rules.js";

/**
 * What a run waits for from one person (their App Home): the verifications and approvals that are
 * theirs, and the steps assigned to them. "Theirs" is who Preflight asks: the named verifiers
 * (or members of a named group), else the run's owner and buddy; and only when `can` lets them.
 */

export function waitingFor(run: Run, user: string, groups: readonly string[] = []): LocatedStep[] {
  return unfinishedSteps(run).filter((located) => {
    const { status } = located.state;
    if (status !== "awaiting_verification" && status !== "awaiting_approval") return false;
    const type = status === "awaiting_verification" ? "verify_step" : "approve_step";
    if (!can(run, { type, stepId: located.plan.id }, user, groups).allowed) return false;
    const named = namedVerifiers(run, located.plan);
    return named ? isNamed(named, user, groups) : leadsRun(run, user);
  });
}

/** Steps assigned to the person (directly or through a group) not finished yet, those up next first. */
export function assignedTo(run: Run, user: string, groups: readonly string[] = []): LocatedStep[] {
  return unfinishedSteps(run)
    .filter((located) => !isFinished(located.state.status))
    .filter((located) => {
      const assignee = assigneeOf(run, located.plan.id);
      return assignee !== undefined && isNamed([assignee], user, groups);
    })
    .sort((a, b) => Number(inFocus(run, b)) - Number(inFocus(run, a)) || a.index - b.index);
}
