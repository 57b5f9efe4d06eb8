import type { Run } from "./run-schema.js";
import { findStep, inFocus, type LocatedStep, planSteps } from "./step-rules.js";

/**
 * People and user groups named by a checklist: who a step is assigned to, whether a person is
 * among those named (directly, or as a member of a named group). Group membership is looked up
 * outside the core (usergroups.users.list); the service hands the acting person's groups in with
 * the event, so every rule is still decided here, on data.
 */

/** A Slack user group id (`S0614TZR7`); people are `U…` or `W…`. */
export function isGroup(id: string): boolean {
  return /^S[A-Z0-9]+$/.test(id);
}

/** `user` is one of `named`, or a member of a group in it (`groups`: the groups the user is in). */
export function isNamed(named: readonly string[], user: string, groups: readonly string[] = []): boolean {
  return named.some((id) => id === user || (isGroup(id) && groups.includes(id)));
}

/** How Slack shows a person or a group in a message (Preflight makes these, never a person). */
/** Slack's own bot, the same id in every workspace: never a buddy nor an owner. */
export const SLACKBOT = "USLACKBOT";

/**
 * Whether `user` can be a run's buddy or owner: a person, not Slackbot, a bot (`B…`) or an account
 * Slack says is a bot, an app or deactivated (`isPerson`, looked up just before; undefined when
 * Slack did not say, and the id alone decides).
 */
export function isPersonId(user: string, isPerson?: boolean): boolean {
  return isPerson !== false && user !== SLACKBOT && !user.startsWith("B");
}

export function mentionOf(id: string): string {
  return isGroup(id) ? `<!subteam^${id}>` : `<@${id}>`;
}

/** `<@U1>, members of <!subteam^S1>`: who a refusal names. */
export function describeNamed(named: readonly string[]): string {
  return named.map((id) => (isGroup(id) ? `members of ${mentionOf(id)}` : mentionOf(id))).join(", ");
}

/**
 * Who a step is assigned to (a person's or a group's id): a reassignment on the run first, then
 * the step's `assignee`, then its phase's. `owner` and `buddy` mean the run's current ones, so a
 * hand-over moves their steps too. Undefined: not assigned (the checklist's rules apply).
 */
export function assigneeOf(run: Run, stepId: string): string | undefined {
  const reassigned = run.assignees?.[stepId];
  if (reassigned !== undefined) return reassigned;
  const located = findStep(run, stepId);
  if (!located) return undefined;
  const phase = run.plan.phases.find((p) => p.id === located.phaseId);
  const named = located.plan.assignee ?? phase?.assignee;
  if (named === "owner") return run.owner;
  if (named === "buddy") return run.buddy;
  return named;
}

/** Assigned steps that may be taken up now and nobody started: whose turn it is (mentioned in the thread). */
export function upNext(run: Run): { located: LocatedStep; assignee: string }[] {
  return run.steps.flatMap((state) => {
    const located = findStep(run, state.id);
    const assignee = assigneeOf(run, state.id);
    if (!located || assignee === undefined || state.status !== "pending" || !inFocus(run, located)) return [];
    return [{ located, assignee }];
  });
}

/** Every user group the run names (starters, verifiers, assignees): whose members matter to it. */
export function groupsNamedIn(run: Run): string[] {
  const rules = run.plan.rules;
  const ids = [
    ...(rules.starters ?? []),
    ...(rules.verifiers ?? []),
    ...Object.values(rules.environments ?? {}).flatMap((env) => env.verifiers ?? []),
    ...run.plan.phases.flatMap((phase) => (phase.assignee ? [phase.assignee] : [])),
    ...planSteps(run).flatMap(({ plan }) => [
      ...(plan.verifiers ?? []),
      ...(plan.assignee ? [plan.assignee] : []),
      ...(plan.decision ? [plan.decision.decider] : []),
    ]),
    ...Object.values(run.assignees ?? {}),
  ];
  return [...new Set(ids.filter(isGroup))];
}

/** A start with these parameter values (defaults filled in) needs a buddy and names none. */
export function lacksRequiredBuddy(
  checklist: Run["plan"],
  values: Readonly<Record<string, string>>,
  buddy: string | undefined,
): boolean {
  const name = checklist.rules.environment;
  return buddy === undefined && buddyRequired(checklist, name ? values[name] : undefined);
}

/** The run's environment asks for a buddy (`environments.<env>.buddy_required`). */
export function buddyRequired(checklist: Run["plan"], environment: string | undefined): boolean {
  if (environment === undefined) return false;
  return checklist.rules.environments?.[environment]?.buddy_required ?? false;
}
