import { accept, type Decision, type EventOf, refuse, refused } from "./decision.js";
import { isGroup, isPersonId, mentionOf } from "./people.js";
import { actionOf, can, type Permission } from "./permissions.js";
import type { Run } from "./run-schema.js";
import { findStep } from "./step-rules.js";

/** Who works the run, changed during it: the buddy named or replaced, a step given to someone else. */

/** The changes of who works a run that its message's menu offers, each asking who (and which step). */
export type PeopleChange = "hand_over" | "set_buddy" | "reassign_step";

/**
 * May `user` make this change at all, before saying to whom or which step? The engine's own guard
 * for the event, asked without the form's answers: a refusal here is the one its submission would
 * get, so the form is not opened to be filled in for nothing. The submission is still decided by
 * the event (the run may have changed hands in between).
 */
export function mayChangePeople(run: Run, change: PeopleChange, user: string): Permission {
  return can(run, { type: change }, user);
}

export function setBuddy(run: Run, event: EventOf<"set_buddy">, at: string): Decision {
  const permission = can(run, actionOf(event), event.by, event.groups);
  if (!permission.allowed) return refused(permission.refusal);
  if (isGroup(event.to))
    return refuse(
      "not_permitted",
      "A buddy is one person, not a user group: name a teammate. Groups may verify steps or be assigned them.",
    );
  if (event.to === run.owner)
    return refuse(
      "not_permitted",
      `${mentionOf(event.to)} owns this run: the buddy must be a second person.`,
    );
  if (!isPersonId(event.to, event.toIsPerson))
    return refuse(
      "not_permitted",
      `${mentionOf(event.to)} is not a person who can work the run (a bot, an app or a deactivated account): name a teammate.`,
    );
  if (event.to === run.buddy) return refuse("wrong_state", `${mentionOf(event.to)} is already the buddy.`);
  return accept(run, { ...run, buddy: event.to }, event, at, [], {
    detail: run.buddy ? `${event.to} (was ${run.buddy})` : event.to,
  });
}

export function reassignStep(run: Run, event: EventOf<"reassign_step">, at: string): Decision {
  const permission = can(run, actionOf(event), event.by, event.groups);
  if (!permission.allowed) return refused(permission.refusal);
  const located = findStep(run, event.stepId);
  if (!located) return refuse("unknown_step", `This run has no step "${event.stepId}".`);
  if (located.state.status === "done" || located.state.status === "skipped")
    return refuse(
      "wrong_state",
      `"${located.plan.title}" is ${located.state.status}: there is nothing left to assign.`,
    );
  const assignees = { ...(run.assignees ?? {}), [event.stepId]: event.to };
  return accept(run, { ...run, assignees }, event, at, [], { stepId: event.stepId, detail: event.to });
}

/** The owner is one person: a run can't be handed to a group. */
export function handOverRefusal(event: EventOf<"hand_over">): Decision | undefined {
  if (isGroup(event.to))
    return refuse("not_permitted", "A run is handed to one person, not a user group: name a teammate.");
  if (!isPersonId(event.to, event.toIsPerson))
    return refuse(
      "not_permitted",
      `${mentionOf(event.to)} is not a person who can own the run (a bot, an app or a deactivated account): name a teammate.`,
    );
  return undefined;
}

/**
 * The step evidence from the thread belongs to: the step running when it was shared (the last
 * one started, when several run side by side), else the one waiting for a verifier or approver.
 */
export function evidenceStep(run: Run): string | undefined {
  const open = (status: string) =>
    run.steps
      .filter((step) => step.status === status)
      .sort((a, b) => (a.startedAt ?? "").localeCompare(b.startedAt ?? ""))
      .at(-1)?.id;
  return open("running") ?? open("awaiting_verification") ?? open("awaiting_approval");
}
