import {
  actionFailed,
  actionProgress,
  actionSucceeded,
  approveStep,
  needsApproval,
  workEffects,
} from "./action-events.js";
import { mentions } from "./create-run.js";
import {
  accept,
  cancelRunningNudges,
  type Decision,
  type EventOf,
  outOfOrder,
  recorded,
  refuse,
  scheduleReminders,
  unknownStep,
  withStep,
} from "./decision.js";
import type { Effect } from "./effects.js";
import { approveOverride, holdForOverride } from "./override.js";
import type { Run, RunEvent, StepState } from "./run-schema.js";
import {
  blockingStep,
  describeStatus,
  findStep,
  leadsRun,
  namedVerifiers,
  openProblems,
  unfinishedSteps,
} from "./step-rules.js";

export type { Decision } from "./decision.js";

/**
 * The run state machine: the new run and the effects an event causes, or the reason it is
 * refused. Pure: time and the acting user come in; nothing goes out but the return value.
 */
export function applyEvent(run: Run, event: RunEvent, now: Date): Decision {
  const held = holdForOverride(run, event);
  if (held) return held;
  if (run.status !== "active" && run.status !== "awaiting_override") {
    return refuse(
      "closed",
      `This run was ${run.status} at ${run.closedAt ?? "an earlier time"}; it accepts nothing more.`,
    );
  }
  if (event.expectedProgress !== undefined && event.expectedProgress !== run.progress) {
    return refuse(
      "stale",
      "Someone else moved this run on since your message was drawn. It has been refreshed: check the step and click again.",
    );
  }
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
      return handOver(run, event, at);
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
  }
}

function startStep(run: Run, event: EventOf<"start_step">, at: string): Decision {
  const located = findStep(run, event.stepId);
  if (!located) return unknownStep(event.stepId);
  const { state, plan } = located;
  if (state.status !== "pending" && state.status !== "failed") {
    return refuse(
      "wrong_state",
      `"${plan.title}" is ${describeStatus(state.status)}; only a step not started yet (or failed) can be started.`,
    );
  }
  const blocker = blockingStep(run, located.index);
  if (blocker) return outOfOrder(located, blocker);
  const base = {
    ...state,
    startedAt: at,
    startedBy: event.by,
    failure: undefined,
    approvedAt: undefined,
    approvedBy: undefined,
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
  const located = findStep(run, event.stepId);
  if (!located) return unknownStep(event.stepId);
  const { state, plan } = located;
  if (state.status !== "pending" && state.status !== "running") {
    return refuse(
      "wrong_state",
      `"${plan.title}" is ${describeStatus(state.status)}; only a step not started or in progress can be marked done.`,
    );
  }
  if (plan.action) {
    return refuse(
      "automated",
      `Preflight runs "${plan.title}" itself: it is done when the call succeeds. If it failed, retry it or skip it with a reason.`,
    );
  }
  if (state.status === "pending") {
    const blocker = blockingStep(run, located.index);
    if (blocker) return outOfOrder(located, blocker);
  }
  const problem = openProblems(run).find((p) => p.stepId === plan.id);
  if (problem) {
    return refuse(
      "open_problem",
      `"${plan.title}" has an open problem ("${problem.text}"); resolve it before marking the step done.`,
    );
  }
  const completed: StepState = {
    ...state,
    status: plan.verify ? "awaiting_verification" : "done",
    startedAt: state.startedAt ?? at,
    startedBy: state.startedBy ?? event.by,
    completedAt: at,
    completedBy: event.by,
  };
  const next = withStep(run, completed);
  const effects: Effect[] = [];
  if (state.status === "running" && plan.duration)
    effects.push({ type: "cancel_overrun_nudges", stepId: plan.id });
  if (plan.verify) {
    const named = namedVerifiers(run, plan);
    const ask = (named ?? (run.buddy ? [run.buddy] : [])).filter((user) => user !== event.by);
    effects.push({ type: "request_verification", stepId: plan.id, completedBy: event.by, ask });
  } else {
    effects.push(...scheduleReminders(next, { on: "step.done", stepId: plan.id }, now));
  }
  return accept(run, next, event, at, effects, { stepId: plan.id });
}

function verifyStep(run: Run, event: EventOf<"verify_step">, now: Date): Decision {
  const at = now.toISOString();
  const located = findStep(run, event.stepId);
  if (!located) return unknownStep(event.stepId);
  const { state, plan } = located;
  if (state.status !== "awaiting_verification") {
    return refuse(
      "wrong_state",
      `"${plan.title}" is ${describeStatus(state.status)}, not waiting for verification.`,
    );
  }
  if (state.completedBy === event.by) {
    const who =
      run.buddy && run.buddy !== event.by
        ? `your buddy ${mentions([run.buddy])} or another teammate`
        : "a teammate";
    return refuse(
      "self_verification",
      `You completed "${plan.title}", so you can't verify it: ${who} must verify it.`,
    );
  }
  const named = namedVerifiers(run, plan);
  if (named && !named.includes(event.by)) {
    return refuse("not_verifier", `Only ${mentions(named)} may verify "${plan.title}".`);
  }
  const verified: StepState = { ...state, status: "done", verifiedAt: at, verifiedBy: event.by };
  const next = withStep(run, verified);
  return accept(run, next, event, at, scheduleReminders(next, { on: "step.done", stepId: plan.id }, now), {
    stepId: plan.id,
  });
}

function skipStep(run: Run, event: EventOf<"skip_step">, at: string): Decision {
  const located = findStep(run, event.stepId);
  if (!located) return unknownStep(event.stepId);
  const { state, plan } = located;
  if (!plan.skippable) {
    return refuse(
      "not_skippable",
      `"${plan.title}" may not be skipped: the checklist requires it. Complete it, or abort the run with a reason.`,
    );
  }
  if (event.reason.trim() === "") {
    return refuse(
      "reason_required",
      `Give a reason for skipping "${plan.title}": it goes into the timeline and the post-mortem.`,
    );
  }
  if (!["pending", "awaiting_approval", "running", "failed"].includes(state.status)) {
    return refuse(
      "wrong_state",
      `"${plan.title}" is ${describeStatus(state.status)}; only a step not done yet can be skipped.`,
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
  if (event.stepId !== undefined && !findStep(run, event.stepId)) return unknownStep(event.stepId);
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
  const problem = run.problems.find((p) => p.id === event.problemId);
  if (!problem) return refuse("unknown_problem", `This run has no problem "${event.problemId}".`);
  if (problem.resolvedAt !== undefined) {
    return refuse(
      "wrong_state",
      `That problem was already resolved by ${mentions([problem.resolvedBy ?? "someone"])}.`,
    );
  }
  if (event.resolution.trim() === "")
    return refuse("reason_required", "Say how the problem was resolved: it goes into the post-mortem.");
  const resolved = { ...problem, resolvedAt: at, resolvedBy: event.by, resolution: event.resolution };
  const next = { ...run, problems: run.problems.map((p) => (p.id === problem.id ? resolved : p)) };
  return accept(run, next, event, at, [], { stepId: problem.stepId, detail: event.resolution });
}

function addNote(run: Run, event: EventOf<"add_note">, at: string): Decision {
  if (event.stepId !== undefined && !findStep(run, event.stepId)) return unknownStep(event.stepId);
  if (event.text.trim() === "") return refuse("reason_required", "A note needs some text.");
  const note = {
    text: event.text,
    by: event.by,
    at,
    source: event.source,
    ...(event.stepId ? { stepId: event.stepId } : {}),
  };
  const next = { ...run, notes: [...run.notes, note] };
  // A reply in the thread is already there for everyone to read: record it, post nothing.
  if (event.source === "thread")
    return { accepted: true, run: recorded(run, next, event, at, { stepId: event.stepId }), effects: [] };
  return accept(run, next, event, at, [], { stepId: event.stepId, detail: event.text });
}

function handOver(run: Run, event: EventOf<"hand_over">, at: string): Decision {
  if (!leadsRun(run, event.by)) {
    return refuse(
      "not_permitted",
      `Only the run's owner ${mentions([run.owner])} or buddy can hand it over.`,
    );
  }
  if (event.to === run.owner) return refuse("wrong_state", `${mentions([event.to])} already owns this run.`);
  // When the buddy takes over, the previous owner becomes the buddy: the pair stays a pair.
  const buddy = event.to === run.buddy ? run.owner : run.buddy;
  const next = { ...run, owner: event.to, ...(buddy !== undefined ? { buddy } : {}) };
  return accept(run, next, event, at, [], { detail: event.to });
}

function abort(run: Run, event: EventOf<"abort">, now: Date): Decision {
  const at = now.toISOString();
  if (!leadsRun(run, event.by)) {
    return refuse("not_permitted", `Only the run's owner ${mentions([run.owner])} or buddy can abort it.`);
  }
  if (event.reason.trim() === "")
    return refuse("reason_required", "Give a reason for aborting: it goes into the post-mortem.");
  const next: Run = { ...run, status: "aborted", closedAt: at, abortReason: event.reason };
  const effects: Effect[] = [
    { type: "cancel_reminders", runId: run.id, keepOnAbort: true },
    ...cancelRunningNudges(run),
    ...scheduleReminders(next, { on: "run.aborted" }, now),
    { type: "run_closed", outcome: "aborted" },
  ];
  return accept(run, next, event, at, effects, { detail: event.reason });
}

function finish(run: Run, event: EventOf<"finish">, now: Date): Decision {
  const at = now.toISOString();
  if (!leadsRun(run, event.by)) {
    return refuse("not_permitted", `Only the run's owner ${mentions([run.owner])} or buddy can finish it.`);
  }
  const unfinished = unfinishedSteps(run);
  if (unfinished.length > 0) {
    const listed = unfinished.slice(0, 5).map((s) => `"${s.plan.title}" (${describeStatus(s.state.status)})`);
    const more = unfinished.length > 5 ? ` and ${unfinished.length - 5} more` : "";
    return refuse(
      "incomplete",
      `The run can finish only when every step is done or skipped. Still open: ${listed.join(", ")}${more}.`,
    );
  }
  const open = openProblems(run);
  if (open.length > 0) {
    return refuse(
      "open_problem",
      `Resolve the open problems first: ${open.map((p) => `"${p.text}"`).join(", ")}.`,
    );
  }
  const next: Run = { ...run, status: "finished", closedAt: at };
  const effects: Effect[] = [
    ...scheduleReminders(next, { on: "run.finished" }, now),
    { type: "run_closed", outcome: "finished" },
  ];
  return accept(run, next, event, at, effects, {});
}
