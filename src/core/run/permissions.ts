import { isCheck } from "../checklist/check-schema.js";
import type { RunAction } from "./actions.js";
import { audienceOf } from "./audiences.js";
import { mentions } from "./create-run.js";
import type { Refusal, RefusalCode } from "./effects.js";
import { recoveryRefusal } from "./recovery-rules.js";
import type { ReminderState, Run } from "./run-schema.js";
import { reminderOf } from "./run-schema.js";
import {
  blockingStep,
  describeStatus,
  findStep,
  isProtected,
  type LocatedStep,
  needsApproval,
  openProblems,
  unfinishedSteps,
} from "./step-rules.js";

/**
 * Who may do what on a run, and when: one guard per action. The engine asks it before applying
 * an event, and the renderer asks whether *someone* may, so a button is drawn exactly when a
 * click on it can be accepted. The README's "Who may do what" table is this file in words.
 */

export type { RunAction } from "./actions.js";
export { actionOf } from "./actions.js";

export type Permission = { allowed: true } | { allowed: false; refusal: Refusal };

const ALLOWED: Permission = { allowed: true };

/** `groups`: the user groups named by the run that `user` is a member of (people.ts). */
export function can(run: Run, action: RunAction, user: string, groups?: readonly string[]): Permission {
  const state = stateRefusal(run, action);
  if (state) return { allowed: false, refusal: state };
  const audience = audienceOf(run, action);
  return audience.admits(user, groups) ? ALLOWED : { allowed: false, refusal: audience.refusal(user) };
}

/** The run's state allows the action and someone is entitled to it: the renderer draws its button. */
export function someoneMay(run: Run, action: RunAction): boolean {
  return stateRefusal(run, action) === undefined && audienceOf(run, action).someone;
}

/** Records of what happened around a run are kept after it closed; everything else is refused. */
const ACCEPTED_WHEN_CLOSED = new Set<RunAction["type"]>([
  "handle_reminder",
  "delete_snapshot",
  "request_deletion",
  "add_follow_up",
  "record_deletion",
  "record_post",
]);

/**
 * `/maintenance summary <run>` posts the run's summary in its thread again: anyone in the run's
 * channel may ask (the thread is theirs to read), from that channel only, so nobody elsewhere
 * writes into a thread they may not even see.
 */
export function summaryRequestRefusal(
  run: Pick<Run, "id" | "channel">,
  channel: string,
): Refusal | undefined {
  return run.channel === channel
    ? undefined
    : refusal(
        "not_permitted",
        `The summary of ${run.id} is posted in its own channel's thread: type \`/maintenance summary ${run.id}\` in the channel the run is in.`,
      );
}

export function closedRefusal(run: Run, type: RunAction["type"]): Refusal | undefined {
  // A run waiting for its override's approval is not closed: override.ts holds it.
  if (run.status === "active" || run.status === "awaiting_override" || ACCEPTED_WHEN_CLOSED.has(type))
    return undefined;
  return refusal(
    "closed",
    `This run was ${run.status.replace("_", " ")} at ${run.closedAt ?? "an earlier time"}; it accepts nothing more.`,
  );
}

function stateRefusal(run: Run, action: RunAction): Refusal | undefined {
  const closed = closedRefusal(run, action.type);
  if (closed) return closed;
  const recovery = recoveryRefusal(run, action);
  if (recovery) return recovery;
  switch (action.type) {
    case "start_step":
    case "complete_step":
    case "skip_step":
    case "verify_step":
    case "approve_step": {
      const located = findStep(run, action.stepId);
      if (!located) return unknownStep(action.stepId);
      return stepStateRefusal(run, action.type, located);
    }
    case "reassign_step":
      return action.stepId === undefined || findStep(run, action.stepId)
        ? undefined
        : unknownStep(action.stepId);
    case "report_problem":
    case "add_note":
      // Any step of the run, in any state: a note on a finished step is still worth keeping.
      return action.stepId === undefined || findStep(run, action.stepId)
        ? undefined
        : unknownStep(action.stepId);
    case "resolve_problem": {
      const problem = run.problems.find((p) => p.id === action.problemId);
      if (!problem) return refusal("unknown_problem", `This run has no problem "${action.problemId}".`);
      if (problem.resolvedAt === undefined) return undefined;
      return refusal(
        "wrong_state",
        `That problem was already resolved by ${mentions([problem.resolvedBy ?? "someone"])}.`,
      );
    }
    case "finish":
      return finishRefusal(run);
    case "handle_reminder":
      return reminderRefusal(run, action.type, action.key);
    case "delete_snapshot":
      return reminderRefusal(run, action.type, action.key) ?? deletionRefusal(run, action.key, "delete");
    case "request_deletion":
      return (
        reminderRefusal(run, "delete_snapshot", action.key) ?? deletionRefusal(run, action.key, "request")
      );
    case "record_deletion": {
      const reminder = reminderOf(run, action.key);
      if (!reminder) return refusal("unknown_reminder", `Run ${run.id} has no reminder "${action.key}".`);
      if (reminder.handled?.outcome !== "action")
        return refusal("wrong_state", "Nobody chose Delete snapshot on this reminder.");
      if (reminder.snapshotDeleted)
        return refusal(
          "wrong_state",
          `${reminder.snapshotDeleted.snapshot} was recorded as deleted already.`,
        );
      return undefined;
    }
    default:
      return undefined;
  }
}

function stepStateRefusal(
  run: Run,
  type: "start_step" | "complete_step" | "skip_step" | "verify_step" | "approve_step",
  located: LocatedStep,
): Refusal | undefined {
  const { state, plan } = located;
  const status = describeStatus(state.status);
  const blocker = () => {
    const blocking = blockingStep(run, located.index);
    return blocking
      ? refusal(
          "out_of_order",
          `"${plan.title}" can't start yet: "${blocking.plan.title}" comes first and is ${describeStatus(blocking.state.status)}.`,
        )
      : undefined;
  };
  switch (type) {
    case "start_step":
      if (state.status !== "pending" && state.status !== "failed")
        return refusal(
          "wrong_state",
          `"${plan.title}" is ${status}; only a step not started yet (or failed) can be started.`,
        );
      return blocker();
    case "complete_step": {
      // A failed check may be done by hand with its commands (its manual fallback).
      const checkFallback = plan.action !== undefined && isCheck(plan.action) && state.status === "failed";
      if (state.status !== "pending" && state.status !== "running" && !checkFallback)
        return refusal(
          "wrong_state",
          `"${plan.title}" is ${status}; only a step not started or in progress can be marked done.`,
        );
      // A check only reads: done by hand with its commands (the manual fallback) unless it is running.
      if (plan.action && !(isCheck(plan.action) && state.status !== "running"))
        return refusal(
          "automated",
          `Preflight runs "${plan.title}" itself: it is done when the call succeeds. If it failed, retry it or skip it with a reason.`,
        );
      const blocked = state.status === "pending" ? blocker() : undefined;
      if (blocked) return blocked;
      // Done from "not started" would pass by the teammate's approval that Start waits for.
      if (state.status === "pending" && needsApproval(run, located))
        return refusal(
          "needs_approval",
          `"${plan.title}" is a point of no return: click Start, and mark it done once a teammate has approved it.`,
        );
      const problem = openProblems(run).find((p) => p.stepId === plan.id);
      if (problem)
        return refusal(
          "open_problem",
          `"${plan.title}" has an open problem ("${problem.text}"); resolve it before marking the step done.`,
        );
      return undefined;
    }
    case "skip_step":
      // Skippable in the checklist, but its required_when holds for this run (conditional-steps.ts).
      if (!plan.skippable && plan.required_when !== undefined)
        return refusal(
          "not_skippable",
          `"${plan.title}" may not be skipped in this run: the checklist requires it when ${plan.required_when}. Complete it, or abort the run with a reason.`,
        );
      if (!plan.skippable)
        return refusal(
          "not_skippable",
          `"${plan.title}" may not be skipped: the checklist requires it. Complete it, or abort the run with a reason.`,
        );
      if (!["pending", "awaiting_approval", "running", "failed"].includes(state.status))
        return refusal(
          "wrong_state",
          `"${plan.title}" is ${status}; only a step not done yet can be skipped.`,
        );
      // A step is skipped when its turn comes, like it would be started: the message offers it then.
      return state.status === "pending" ? blocker() : undefined;
    case "verify_step":
      return state.status === "awaiting_verification"
        ? undefined
        : refusal("wrong_state", `"${plan.title}" is ${status}, not waiting for verification.`);
    case "approve_step":
      return state.status === "awaiting_approval"
        ? undefined
        : refusal("wrong_state", `"${plan.title}" is ${status}, not waiting for approval.`);
  }
}

function finishRefusal(run: Run): Refusal | undefined {
  // Rolling back, only the rollback steps must be finished: the way forward was left.
  const rollback = run.rollback;
  const unfinished = unfinishedSteps(run).filter((s) => !rollback || s.phaseId === rollback.phaseId);
  if (unfinished.length > 0) {
    const listed = unfinished.slice(0, 5).map((s) => `"${s.plan.title}" (${describeStatus(s.state.status)})`);
    const more = unfinished.length > 5 ? ` and ${unfinished.length - 5} more` : "";
    return refusal(
      "incomplete",
      `The run can finish only when every step is done or skipped. Still open: ${listed.join(", ")}${more}.`,
    );
  }
  const open = openProblems(run);
  if (open.length > 0)
    return refusal(
      "open_problem",
      `Resolve the open problems first: ${open.map((p) => `"${p.text}"`).join(", ")}.`,
    );
  return undefined;
}

/** A reminder is handled once: the first Done, Snooze or Delete snapshot decides. */
function reminderRefusal(
  run: Run,
  type: "handle_reminder" | "delete_snapshot",
  key: string,
): Refusal | undefined {
  const reminder = reminderOf(run, key);
  if (!reminder)
    return refusal("unknown_reminder", `Run ${run.id} has no reminder "${key}"; handle it by hand.`);
  if (reminder.cancelledAt !== undefined)
    return refusal(
      "wrong_state",
      `This reminder was cancelled when the run was aborted (${readableTime(reminder.cancelledAt)}).`,
    );
  if (reminder.handled) return refusal("already_handled", alreadyHandled(reminder.handled));
  if (type === "delete_snapshot" && reminder.action?.type !== "rds.delete_snapshot")
    return refusal("wrong_state", "This reminder names no snapshot to delete; handle it by hand.");
  return undefined;
}

function alreadyHandled(handled: NonNullable<ReminderState["handled"]>): string {
  const who = mentions([handled.by]);
  const when = readableTime(handled.at);
  switch (handled.outcome) {
    case "done":
      return `${who} already marked this reminder done (${when}).`;
    case "snoozed":
      return `${who} already snoozed this reminder (${when}) until ${readableTime(handled.until ?? handled.at)}.`;
    case "action":
      return `${who} already handled this reminder by deleting its snapshot (${when}).`;
  }
}

/** `2026-11-20 09:19 UTC`: refusals are plain text, read anywhere. */
function readableTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * A rehearsal deletes nothing; in a protected environment a deletion needs two people: the first
 * asks (`request_deletion`), a different person confirms (`delete_snapshot`).
 */
function deletionRefusal(run: Run, key: string, step: "request" | "delete"): Refusal | undefined {
  const reminder = reminderOf(run, key);
  const snapshot =
    reminder?.action?.type === "rds.delete_snapshot" ? reminder.action.snapshot : "the snapshot";
  if (run.dryRun || reminder?.dryRun)
    return refusal(
      "not_permitted",
      `This reminder belongs to a rehearsal (dry run): nothing is deleted. ${snapshot} stays as it is.`,
    );
  const requested = reminder?.deletionRequested;
  if (step === "request") {
    if (!isProtected(run))
      return refusal(
        "wrong_state",
        `${run.environment ?? "This environment"} is not protected: one person deletes ${snapshot}.`,
      );
    if (requested)
      return refusal(
        "wrong_state",
        `${mentions([requested.by])} already asked to delete ${snapshot}: a second person confirms with Delete snapshot….`,
      );
    return undefined;
  }
  if (isProtected(run) && !requested)
    return refusal(
      "needs_second_person",
      `${run.environment} is protected: deleting ${snapshot} needs two people. Ask for it first; a teammate then confirms.`,
    );
  return undefined;
}

function refusal(code: RefusalCode, message: string): Refusal {
  return { code, message };
}

function unknownStep(stepId: string): Refusal {
  return refusal("unknown_step", `This run has no step "${stepId}".`);
}
