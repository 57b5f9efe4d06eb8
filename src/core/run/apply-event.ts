import { actionFailed, actionProgress, actionSucceeded, approveStep, workEffects } from "./action-events.js";
import { afterEvent, announceOverrun } from "./after-event.js";
import {
  accept,
  type Decision,
  type EventOf,
  MOVES_THE_RUN_ON,
  recorded,
  refuse,
  refused,
  scheduleReminders,
  withStep,
} from "./decision.js";
import { runMessageFailed } from "./delivery-events.js";
import type { Effect } from "./effects.js";
import { approveOverride, holdForOverride } from "./override.js";
import { evidenceStep, handOverRefusal, reassignStep, setBuddy } from "./people-events.js";
import { actionOf, can, closedRefusal } from "./permissions.js";
import {
  deletionRequested,
  followUpAdded,
  postFailed,
  reminderHandled,
  reminderPosted,
  snapshotDeleted,
} from "./record-events.js";
import { recordedDetail, recordedValues } from "./recorded-values.js";
import { decide as decideAt, doneByHand, pauseRun, resumeRun, rollBack } from "./recovery-events.js";
import { abort, closeAborted, finish } from "./run-closing.js";
import type { Run, RunEvent, StepState } from "./run-schema.js";
import { soakRefusal } from "./soak-gates.js";
import { findStep, type LocatedStep, namedVerifiers, needsApproval } from "./step-rules.js";
import { trackerAccepted, trackerLinked, trackerRefused } from "./tracker-events.js";

export type { Decision } from "./decision.js";

/**
 * The run state machine: the new run and the effects an event causes, or the reason it is
 * refused. Pure: time and the acting user come in; nothing goes out but the return value.
 * Every handler first asks `can` (permissions.ts): whether the run's state allows the action
 * and whether this person may do it.
 */
export function applyEvent(run: Run, event: RunEvent, now: Date): Decision {
  return afterEvent(run, decide(run, event, now), now);
}

function decide(run: Run, event: RunEvent, now: Date): Decision {
  const held = holdForOverride(run, event);
  if (held) return held;
  const closed = closedRefusal(run, actionOf(event).type);
  if (closed) return refused(closed);
  const stale = staleness(run, event);
  if (stale) return stale;
  const at = now.toISOString();
  switch (event.type) {
    case "start_step":
      return startStep(run, event, at);
    case "complete_step":
      return completeStep(run, event, now);
    case "verify_step":
      return verifyStep(run, event, now);
    case "skip_step":
      return skipStep(run, event, at);
    case "report_problem":
      return reportProblem(run, event, at);
    case "resolve_problem":
      return resolveProblem(run, event, at);
    case "add_note":
      return addNote(run, event, at);
    case "hand_over":
      return handOverRefusal(event) ?? handOver(run, event, at);
    case "set_buddy":
      return setBuddy(run, event, at);
    case "reassign_step":
      return reassignStep(run, event, at);
    case "abort":
      return abort(run, event, now);
    case "finish":
      return finish(run, event, now);
    case "approve_step":
      return approveStep(run, event, at);
    case "approve_override":
      return approveOverride(run, event, now);
    case "action_progress":
      return actionProgress(run, event, at);
    case "action_succeeded":
      return actionSucceeded(run, event, now);
    case "action_failed":
      return actionFailed(run, event, at);
    case "run_message_failed":
      return runMessageFailed(run, event, at);
    case "reminder_posted":
      return reminderPosted(run, event, at);
    case "reminder_handled":
      return reminderHandled(run, event, now);
    case "snapshot_deleted":
      return snapshotDeleted(run, event, at);
    case "follow_up_added":
      return followUpAdded(run, event, at);
    case "deletion_requested":
      return deletionRequested(run, event, at);
    case "post_failed":
      return postFailed(run, event, at);
    case "announce_overrun":
      return announceOverrun(run, event, now);
    case "decide":
      return decideAt(run, event, now, closeAborted);
    case "pause_run":
      return pauseRun(run, event, now);
    case "resume_run":
      return resumeRun(run, event, now);
    case "roll_back":
      return rollBack(run, event, now);
    case "done_by_hand":
      return doneByHand(run, event, now);
    case "tracker_linked":
      return trackerLinked(run, event, at);
    case "tracker_refused":
      return trackerRefused(run, event, at);
    case "tracker_accepted":
      return trackerAccepted(run, event, at);
  }
}

/**
 * A click or form made on an outdated message is refused. A note or a problem is about what the
 * person saw, not about the buttons: it is refused only when the step it names moved on since
 * (it was started, done, skipped… after the form was opened); one about the run as a whole is
 * always taken.
 */
function staleness(run: Run, event: RunEvent): Decision | undefined {
  const expected = event.expectedProgress;
  if (expected === undefined || expected === run.progress) return undefined;
  if (event.type === "add_note" || event.type === "report_problem") {
    if (event.stepId === undefined || !stepMovedOn(run, event.stepId, expected)) return undefined;
    const title = findStep(run, event.stepId)?.plan.title ?? event.stepId;
    return refuse(
      "stale",
      `"${title}" moved on since you opened the form, so your text was not saved. Check the step, then write it again (or reply in the run's thread).`,
    );
  }
  return refuse(
    "stale",
    "Someone else moved this run on since your message was drawn. It has been refreshed: check the step and click again.",
  );
}

function stepMovedOn(run: Run, stepId: string, since: number): boolean {
  return run.history.some(
    (activity) =>
      activity.stepId === stepId &&
      activity.progress !== undefined &&
      activity.progress > since &&
      MOVES_THE_RUN_ON.has(activity.type as RunEvent["type"]),
  );
}

/** Asks the guard; the located step when allowed. */
function permitted(run: Run, event: RunEvent & { stepId: string }): LocatedStep | Decision {
  const permission = can(run, actionOf(event), event.by, event.groups);
  if (!permission.allowed) return refused(permission.refusal);
  return findStep(run, event.stepId) as LocatedStep;
}

const isDecision = (value: LocatedStep | Decision): value is Decision => "accepted" in value;

function startStep(run: Run, event: EventOf<"start_step">, at: string): Decision {
  const located = permitted(run, event);
  if (isDecision(located)) return located;
  const soaking = soakRefusal(run, located, new Date(at));
  if (soaking) return refused(soaking);
  const { state, plan } = located;
  const base = {
    ...state,
    startedAt: at,
    startedBy: event.by,
    failure: undefined,
    approvedAt: undefined,
    approvedBy: undefined,
    check: undefined,
  };
  if (needsApproval(run, located)) {
    const waiting: StepState = { ...base, status: "awaiting_approval" };
    const named = namedVerifiers(run, plan);
    const ask = (named ?? (run.buddy ? [run.buddy] : [])).filter((user) => user !== event.by);
    const effects: Effect[] = [{ type: "request_approval", stepId: plan.id, requestedBy: event.by, ask }];
    return accept(run, withStep(run, waiting), event, at, effects, { stepId: plan.id });
  }
  const started: StepState = { ...base, status: "running" };
  const next = withStep(run, started);
  return accept(run, next, event, at, workEffects(next, { ...located, state: started }, at), {
    stepId: plan.id,
  });
}

function completeStep(run: Run, event: EventOf<"complete_step">, now: Date): Decision {
  const at = now.toISOString();
  const located = permitted(run, event);
  if (isDecision(located)) return located;
  // Done on a step not started yet starts it too: its soak time holds as it would for Start.
  const soaking = located.state.status === "pending" ? soakRefusal(run, located, now) : undefined;
  if (soaking) return refused(soaking);
  const { state, plan } = located;
  const recorded = recordedValues(plan, event.values);
  if ("refusal" in recorded) return refuse("incomplete", recorded.refusal);
  const completed: StepState = {
    ...state,
    ...(recorded.values ? { results: { ...state.results, ...recorded.values } } : {}),
    // A failed check done by hand: the failure stays in the timeline, not on the step.
    ...(state.status === "failed" ? { failure: undefined, check: undefined } : {}),
    status: plan.verify ? "awaiting_verification" : "done",
    startedAt: state.startedAt ?? at,
    startedBy: state.startedBy ?? event.by,
    completedAt: at,
    completedBy: event.by,
  };
  let next = withStep(run, completed);
  const effects: Effect[] = [];
  if (state.status === "running" && plan.duration)
    effects.push({ type: "cancel_overrun_nudges", stepId: plan.id });
  if (plan.verify) {
    const named = namedVerifiers(run, plan);
    const ask = (named ?? (run.buddy ? [run.buddy] : [])).filter((user) => user !== event.by);
    effects.push({ type: "request_verification", stepId: plan.id, completedBy: event.by, ask });
  } else {
    const reminders = scheduleReminders(next, { on: "step.done", stepId: plan.id }, now);
    next = reminders.run;
    effects.push(...reminders.effects);
  }
  const detail = recorded.values ? recordedDetail(recorded.values) : undefined;
  return accept(run, next, event, at, effects, { stepId: plan.id, ...(detail ? { detail } : {}) });
}

function verifyStep(run: Run, event: EventOf<"verify_step">, now: Date): Decision {
  const at = now.toISOString();
  const located = permitted(run, event);
  if (isDecision(located)) return located;
  const { state, plan } = located;
  const verified: StepState = { ...state, status: "done", verifiedAt: at, verifiedBy: event.by };
  const reminders = scheduleReminders(withStep(run, verified), { on: "step.done", stepId: plan.id }, now);
  return accept(run, reminders.run, event, at, reminders.effects, { stepId: plan.id });
}

function skipStep(run: Run, event: EventOf<"skip_step">, at: string): Decision {
  const located = permitted(run, event);
  if (isDecision(located)) return located;
  const { state, plan } = located;
  if (event.reason.trim() === "") {
    return refuse(
      "reason_required",
      `Give a reason for skipping "${plan.title}": it goes into the timeline and the post-mortem.`,
    );
  }
  const skipped: StepState = {
    ...state,
    status: "skipped",
    skippedAt: at,
    skippedBy: event.by,
    skipReason: event.reason,
  };
  const effects: Effect[] =
    state.status === "running" && plan.duration ? [{ type: "cancel_overrun_nudges", stepId: plan.id }] : [];
  return accept(run, withStep(run, skipped), event, at, effects, { stepId: plan.id, detail: event.reason });
}

function reportProblem(run: Run, event: EventOf<"report_problem">, at: string): Decision {
  const permission = can(run, actionOf(event), event.by, event.groups);
  if (!permission.allowed) return refused(permission.refusal);
  if (event.text.trim() === "")
    return refuse("reason_required", "Describe the problem: what happened and what you see.");
  const problem = {
    id: `p${run.problems.length + 1}`,
    text: event.text,
    reportedBy: event.by,
    reportedAt: at,
    ...(event.stepId !== undefined ? { stepId: event.stepId } : {}),
  };
  const next = { ...run, problems: [...run.problems, problem] };
  return accept(run, next, event, at, [], { stepId: event.stepId, detail: event.text });
}

function resolveProblem(run: Run, event: EventOf<"resolve_problem">, at: string): Decision {
  const permission = can(run, actionOf(event), event.by, event.groups);
  if (!permission.allowed) return refused(permission.refusal);
  const problem = run.problems.find((p) => p.id === event.problemId) as Run["problems"][number];
  if (event.resolution.trim() === "")
    return refuse("reason_required", "Say how the problem was resolved: it goes into the post-mortem.");
  const resolved = { ...problem, resolvedAt: at, resolvedBy: event.by, resolution: event.resolution };
  const next = { ...run, problems: run.problems.map((p) => (p.id === problem.id ? resolved : p)) };
  return accept(run, next, event, at, [], { stepId: problem.stepId, detail: event.resolution });
}

function addNote(run: Run, event: EventOf<"add_note">, at: string): Decision {
  const permission = can(run, actionOf(event), event.by, event.groups);
  if (!permission.allowed) return refused(permission.refusal);
  if (event.text.trim() === "") return refuse("reason_required", "A note needs some text.");
  // Evidence from the thread (a screenshot, a reply also sent to the channel) goes to the running step.
  const stepId = event.stepId ?? (event.evidence ? evidenceStep(run) : undefined);
  const note = {
    text: event.text,
    by: event.by,
    at,
    source: event.source,
    ...(stepId ? { stepId } : {}),
    ...(event.files?.length ? { files: event.files } : {}),
    ...(event.permalink ? { permalink: event.permalink } : {}),
  };
  const next = { ...run, notes: [...run.notes, note] };
  // A reply in the thread is already there for everyone to read: record it, post nothing.
  if (event.source === "thread")
    return { accepted: true, run: recorded(run, next, event, at, { stepId }), effects: [] };
  return accept(run, next, event, at, [], { stepId: event.stepId, detail: event.text });
}

function handOver(run: Run, event: EventOf<"hand_over">, at: string): Decision {
  const permission = can(run, actionOf(event), event.by, event.groups);
  if (!permission.allowed) return refused(permission.refusal);
  if (event.to === run.owner) return refuse("wrong_state", `<@${event.to}> already owns this run.`);
  // When the buddy takes over, the previous owner becomes the buddy: the pair stays a pair.
  const buddy = event.to === run.buddy ? run.owner : run.buddy;
  const next = { ...run, owner: event.to, ...(buddy !== undefined ? { buddy } : {}) };
  return accept(run, next, event, at, [], { detail: event.to });
}
