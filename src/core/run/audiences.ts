import type { RunAction } from "./actions.js";
import { mentions } from "./create-run.js";
import type { Refusal, RefusalCode } from "./effects.js";
import { assigneeOf, describeNamed, isNamed } from "./people.js";
import { deciderAudience } from "./recovery-rules.js";
import { PREFLIGHT_USER, type Run, reminderOf } from "./run-schema.js";
import { findStep, isProtected, type LocatedStep, leadsRun, namedVerifiers } from "./step-rules.js";

/**
 * Who an action is open to once the run's state allows it (permissions.ts asks the state first):
 * the owner and buddy, the checklist's participants, a second person, anyone, or Preflight itself.
 */

/** Who an action is open to once the run's state allows it. */
export interface Audience {
  /** `groups`: the user groups named by the run that the user is a member of. */
  admits(user: string, groups?: readonly string[]): boolean;
  /** At least one person could be admitted (a list of named people may exclude them all). */
  someone: boolean;
  refusal(user: string): Refusal;
}

export function audienceOf(run: Run, action: RunAction): Audience {
  switch (action.type) {
    case "start_step":
      return assigned(run, action.stepId, "start", stepWorkers(run, "start"));
    case "complete_step":
      return assigned(run, action.stepId, "complete", stepWorkers(run, "complete"));
    case "skip_step":
      return assigned(run, action.stepId, "skip", stepWorkers(run, "skip"));
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
    case "set_buddy":
      return leaders(run, "name its buddy");
    case "reassign_step":
      return leaders(run, "reassign its steps");
    case "abort":
      return leaders(run, "abort it");
    case "finish":
      return leaders(run, "finish it");
    case "delete_snapshot":
      return secondDeleter(run, action.key, stepWorkers(run, "delete its snapshot"));
    case "request_deletion":
      return stepWorkers(run, "delete its snapshot");
    case "record_deletion": {
      const claimer = reminderOf(run, action.key)?.handled?.by;
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
    case "decide":
      return deciderAudience(run, action.stepId);
    case "done_by_hand":
      return stepWorkers(run, "do steps by hand in");
    case "pause_run":
      return leaders(run, "pause it");
    case "resume_run":
      return leaders(run, "resume it");
    case "roll_back":
      return leaders(run, "roll it back");
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

/**
 * A step with an assignee (people.ts) is started, completed or skipped by the assignee (or a
 * member of the assigned group) or the run's owner; without one, the checklist's rules apply.
 */
function assigned(run: Run, stepId: string, verb: string, workers: Audience): Audience {
  const assignee = assigneeOf(run, stepId);
  if (assignee === undefined) return workers;
  const title = findStep(run, stepId)?.plan.title ?? stepId;
  return {
    admits: (user, groups) => user === run.owner || isNamed([assignee], user, groups),
    someone: true,
    refusal: () =>
      refusal(
        "not_assignee",
        `"${title}" is assigned to ${describeNamed([assignee])}: only they or the run's owner ${mentions([run.owner])} may ${verb} it.`,
      ),
  };
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

function snapshotOf(run: Run, key: string): string {
  const action = reminderOf(run, key)?.action;
  return action?.type === "rds.delete_snapshot" ? action.snapshot : "this snapshot";
}

/**
 * In a protected environment the deletion is asked for by whoever may work the run, and
 * confirmed by any other teammate; whoever asked can't also confirm it.
 */
function secondDeleter(run: Run, key: string, workers: Audience): Audience {
  const requested = reminderOf(run, key)?.deletionRequested;
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
    admits: (user, groups) => user !== first && (named === undefined || isNamed(named, user, groups)),
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
      return refusal("not_verifier", `Only ${describeNamed(named ?? [])} may ${verb} "${title}".`);
    },
  };
}

function refusal(code: RefusalCode, message: string): Refusal {
  return { code, message };
}
