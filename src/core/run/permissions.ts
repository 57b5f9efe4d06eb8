import { mentions } from "./create-run.js";
import type { Refusal, RefusalCode } from "./effects.js";
import { PREFLIGHT_USER, type ReminderState, type Run, type RunEvent } from "./run-schema.js";
import {
  blockingStep,
  describeStatus,
  findStep,
  isProtected,
  type LocatedStep,
  leadsRun,
  namedVerifiers,
  openProblems,
  unfinishedSteps,
} from "./step-rules.js";

/**
 * Who may do what on a run, and when: one guard per action. The engine asks it before applying
 * an event, and the renderer asks whether *someone* may, so a button is drawn exactly when a
 * click on it can be accepted. The README's "Who may do what" table is this file in words.
 */

export type RunAction =
  | { type: "start_step" | "complete_step" | "skip_step" | "verify_step" | "approve_step"; stepId: string }
  | { type: "report_problem" | "add_note"; stepId?: string }
  | { type: "resolve_problem"; problemId: string }
  | { type: "hand_over" | "abort" | "finish" | "add_follow_up" }
  | { type: "handle_reminder" | "delete_snapshot"; key: string }
  /** In a protected environment: the first of the two people a snapshot deletion needs. */
  | { type: "request_deletion"; key: string }
  /** The snapshot a reminder's Delete was chosen for is gone: said by whoever chose it. */
  | { type: "record_deletion"; key: string }
  /** What Preflight itself reports: results of automated actions, posts made or failed. */
  | { type: "report_action" | "record_post" }
  /** A second person lets a run started past the environment gate begin (override.ts decides who). */
  | { type: "approve_override" };

/** The action an event asks for, as `can` knows it. */
export function actionOf(event: RunEvent): RunAction {
  switch (event.type) {
    case "start_step":
    case "complete_step":
    case "skip_step":
    case "verify_step":
    case "approve_step":
      return { type: event.type, stepId: event.stepId };
    case "report_problem":
    case "add_note":
      return { type: event.type, ...(event.stepId !== undefined ? { stepId: event.stepId } : {}) };
    case "resolve_problem":
      return { type: "resolve_problem", problemId: event.problemId };
    case "hand_over":
    case "abort":
    case "finish":
      return { type: event.type };
    case "follow_up_added":
      return { type: "add_follow_up" };
    case "reminder_handled":
      return { type: event.outcome === "action" ? "delete_snapshot" : "handle_reminder", key: event.key };
    case "action_progress":
    case "action_succeeded":
    case "action_failed":
      return { type: "report_action" };
    case "snapshot_deleted":
      return { type: "record_deletion", key: event.key };
    case "deletion_requested":
      return { type: "request_deletion", key: event.key };
    case "reminder_posted":
    case "post_failed":
    case "run_message_failed":
      return { type: "record_post" };
    case "approve_override":
      return { type: "approve_override" };
  }
}

export type Permission = { allowed: true } | { allowed: false; refusal: Refusal };

/** Who an action is open to once the run's state allows it. */
interface Audience {
  admits(user: string): boolean;
  /** At least one person could be admitted (a list of named people may exclude them all). */
  someone: boolean;
  refusal(user: string): Refusal;
}

const ALLOWED: Permission = { allowed: true };

export function can(run: Run, action: RunAction, user: string): Permission {
  const state = stateRefusal(run, action);
  if (state) return { allowed: false, refusal: state };
  const audience = audienceOf(run, action);
  return audience.admits(user) ? ALLOWED : { allowed: false, refusal: audience.refusal(user) };
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

export function closedRefusal(run: Run, type: RunAction["type"]): Refusal | undefined {
  // A run waiting for its override's approval is not closed: override.ts holds it.
  if (run.status === "active" || run.status === "awaiting_override" || ACCEPTED_WHEN_CLOSED.has(type))
    return undefined;
  return refusal(
    "closed",
    `This run was ${run.status} at ${run.closedAt ?? "an earlier time"}; it accepts nothing more.`,
  );
}

function stateRefusal(run: Run, action: RunAction): Refusal | undefined {
  const closed = closedRefusal(run, action.type);
  if (closed) return closed;
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
      const reminder = run.reminders[action.key];
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
      if (state.status !== "pending" && state.status !== "running")
        return refusal(
          "wrong_state",
          `"${plan.title}" is ${status}; only a step not started or in progress can be marked done.`,
        );
      if (plan.action)
        return refusal(
          "automated",
          `Preflight runs "${plan.title}" itself: it is done when the call succeeds. If it failed, retry it or skip it with a reason.`,
        );
      const blocked = state.status === "pending" ? blocker() : undefined;
      if (blocked) return blocked;
      const problem = openProblems(run).find((p) => p.stepId === plan.id);
      if (problem)
        return refusal(
          "open_problem",
          `"${plan.title}" has an open problem ("${problem.text}"); resolve it before marking the step done.`,
        );
      return undefined;
    }
    case "skip_step":
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
  const unfinished = unfinishedSteps(run);
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
  const reminder = run.reminders[key];
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

function audienceOf(run: Run, action: RunAction): Audience {
  switch (action.type) {
    case "start_step":
      return stepWorkers(run, "start");
    case "complete_step":
      return stepWorkers(run, "complete");
    case "skip_step":
      return stepWorkers(run, "skip");
    case "verify_step": {
      const located = findStep(run, action.stepId) as LocatedStep;
      return secondPerson(run, located, located.state.completedBy, "verify");
    }
    case "approve_step": {
      const located = findStep(run, action.stepId) as LocatedStep;
      return secondPerson(run, located, located.state.startedBy, "approve");
    }
    case "report_problem":
    case "add_note":
    case "add_follow_up":
    case "handle_reminder":
      return ANYONE;
    case "resolve_problem": {
      const problem = run.problems.find((p) => p.id === action.problemId);
      return resolvers(run, problem?.reportedBy);
    }
    case "hand_over":
      return leaders(run, "hand it over");
    case "abort":
      return leaders(run, "abort it");
    case "finish":
      return leaders(run, "finish it");
    case "delete_snapshot":
      return secondDeleter(run, action.key, stepWorkers(run, "delete its snapshot"));
    case "request_deletion":
      return stepWorkers(run, "delete its snapshot");
    case "record_deletion": {
      const claimer = run.reminders[action.key]?.handled?.by;
      return {
        admits: (user) => user === claimer,
        someone: claimer !== undefined,
        refusal: () =>
          refusal(
            "not_permitted",
            "Only the person who chose Delete snapshot on this reminder records the deletion.",
          ),
      };
    }
    case "report_action":
    case "record_post":
      return PREFLIGHT_ONLY;
    case "approve_override":
      // Anyone but whoever asked for it (and only the checklist's starters, when it names them):
      // decided with the override itself (override.ts).
      return ANYONE;
  }
}

const ANYONE: Audience = {
  admits: () => true,
  someone: true,
  refusal: () => refusal("not_permitted", "Anyone may do this."),
};

const PREFLIGHT_ONLY: Audience = {
  admits: (user) => user === PREFLIGHT_USER,
  someone: true,
  refusal: () => refusal("not_permitted", "Only Preflight reports what its own actions and posts did."),
};

function ownerAndBuddy(run: Run): string {
  return run.buddy
    ? `the run's owner ${mentions([run.owner])} or buddy ${mentions([run.buddy])}`
    : `the run's owner ${mentions([run.owner])}`;
}

/** Owner and buddy lead the run: handing it over, aborting and finishing are theirs. */
function leaders(run: Run, what: string): Audience {
  return {
    admits: (user) => leadsRun(run, user),
    someone: true,
    refusal: () => refusal("not_permitted", `Only ${ownerAndBuddy(run)} may ${what}.`),
  };
}

/**
 * Steps are worked by the run's owner or buddy, unless the checklist opens them
 * (`rules.participants`: `channel` for anyone, or named people besides the pair).
 */
function stepWorkers(run: Run, verb: string): Audience {
  const participants = run.plan.rules.participants;
  if (participants === "channel") return ANYONE;
  const named = (participants ?? []).filter((user) => !leadsRun(run, user));
  const what = verb.includes("snapshot") ? verb : `${verb} steps of this run`;
  const who =
    named.length > 0
      ? `${ownerAndBuddy(run)}, or ${mentions(named)} (named in the checklist's participants)`
      : ownerAndBuddy(run);
  const why = participants ? "" : "; the checklist does not open steps to the channel";
  return {
    admits: (user) => leadsRun(run, user) || named.includes(user),
    someone: true,
    refusal: () => refusal("not_permitted", `Only ${who} may ${what}${why}.`),
  };
}

/**
 * A rehearsal deletes nothing; in a protected environment a deletion needs two people: the first
 * asks (`request_deletion`), a different person confirms (`delete_snapshot`).
 */
function deletionRefusal(run: Run, key: string, step: "request" | "delete"): Refusal | undefined {
  const reminder = run.reminders[key];
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

function snapshotOf(run: Run, key: string): string {
  const action = run.reminders[key]?.action;
  return action?.type === "rds.delete_snapshot" ? action.snapshot : "this snapshot";
}

/**
 * In a protected environment the deletion is asked for by whoever may work the run, and
 * confirmed by any other teammate; whoever asked can't also confirm it.
 */
function secondDeleter(run: Run, key: string, workers: Audience): Audience {
  const requested = run.reminders[key]?.deletionRequested;
  if (!isProtected(run) || !requested) return workers;
  // Like verification: once asked, any teammate but the asker confirms.
  return {
    admits: (user) => user !== requested.by,
    someone: true,
    refusal: (user) =>
      user === requested.by
        ? refusal(
            "self_approval",
            `You asked to delete ${snapshotOf(run, key)}, so you can't confirm it: ${run.environment} is protected and a second person must confirm the deletion.`,
          )
        : workers.refusal(user),
  };
}

/** A problem is resolved by whoever reported it or whoever may work the run's steps. */
function resolvers(run: Run, reporter: string | undefined): Audience {
  const workers = stepWorkers(run, "resolve");
  const reporterText = reporter ? `${mentions([reporter])} (who reported it), ` : "";
  return {
    admits: (user) => user === reporter || workers.admits(user),
    someone: true,
    refusal: () =>
      refusal(
        "not_permitted",
        `Only ${reporterText}${ownerAndBuddy(run)}${run.plan.rules.participants ? " or the checklist's participants" : ""} may resolve this problem.`,
      ),
  };
}

/**
 * Verifying and approving take a second person: anyone but whoever completed (or asked for)
 * the step, or only the verifiers the checklist names.
 */
function secondPerson(
  run: Run,
  located: LocatedStep,
  first: string | undefined,
  verb: "verify" | "approve",
): Audience {
  const named = namedVerifiers(run, located.plan);
  const title = located.plan.title;
  return {
    admits: (user) => user !== first && (named === undefined || named.includes(user)),
    someone: named === undefined || named.some((user) => user !== first),
    refusal: (user) => {
      if (user === first && verb === "verify") {
        const who =
          run.buddy && run.buddy !== user
            ? `your buddy ${mentions([run.buddy])} or another teammate`
            : "a teammate";
        return refusal(
          "self_verification",
          `You completed "${title}", so you can't verify it: ${who} must verify it.`,
        );
      }
      if (user === first)
        return refusal(
          "self_approval",
          `You asked for "${title}", so you can't approve it: a teammate must approve the change.`,
        );
      return refusal("not_verifier", `Only ${mentions(named ?? [])} may ${verb} "${title}".`);
    },
  };
}

function refusal(code: RefusalCode, message: string): Refusal {
  return { code, message };
}

function unknownStep(stepId: string): Refusal {
  return refusal("unknown_step", `This run has no step "${stepId}".`);
}
