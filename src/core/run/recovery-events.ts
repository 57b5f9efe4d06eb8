import { recordHistory } from "../history/record-history.js";
import { trackerCloseEffects } from "../tracker/tracker-effects.js";
import {
  accept,
  cancelRunningNudges,
  type Decision,
  type EventOf,
  refuse,
  refused,
  scheduleReminders,
  withStep,
} from "./decision.js";
import type { Effect } from "./effects.js";
import { nudgesOnPause, nudgesOnResume } from "./paused-time.js";
import { actionOf, can } from "./permissions.js";
import { rollbackPlan, withRollbackPhase } from "./rollback-plan.js";
import type { Run, RunEvent, StepState } from "./run-schema.js";
import { soakRefusal } from "./soak-gates.js";
import { findStep, type LocatedStep, namedVerifiers } from "./step-rules.js";

/**
 * When things go wrong or run long: decision points, pause and resume, rolling back, and an
 * automated step done by hand. The guards are in recovery-rules.ts (asked through `can`).
 */

/** Closes the run as aborted (run-closing.ts): what a decision point's `abort` ends in. */
export type CloseAborted = (run: Run, event: RunEvent & { reason: string }, now: Date) => Decision;

function permitted(run: Run, event: RunEvent): Decision | undefined {
  // A decider may be a user group: the service passes the groups the person is in.
  const permission = can(run, actionOf(event), event.by, event.groups);
  return permission.allowed ? undefined : refused(permission.refusal);
}

function withoutReason(event: { reason: string }, what: string): Decision | undefined {
  return event.reason.trim() === ""
    ? refuse("reason_required", `Give a reason for ${what}: it goes into the timeline and the post-mortem.`)
    : undefined;
}

export function pauseRun(run: Run, event: EventOf<"pause_run">, now: Date): Decision {
  const refusal = permitted(run, event) ?? withoutReason(event, "pausing the run");
  if (refusal) return refusal;
  const at = now.toISOString();
  return accept(run, paused(run, event, at), event, at, nudgesOnPause(run), { detail: event.reason });
}

function paused(run: Run, event: { by: string; reason: string }, at: string): Run {
  const pause = { reason: event.reason, by: event.by, at };
  return { ...run, pauses: [...run.pauses, pause] };
}

export function resumeRun(run: Run, event: EventOf<"resume_run">, now: Date): Decision {
  const refusal = permitted(run, event) ?? withoutReason(event, "resuming the run");
  if (refusal) return refusal;
  const at = now.toISOString();
  const last = run.pauses.length - 1;
  const pauses = run.pauses.map((pause, i) =>
    i === last ? { ...pause, resumedBy: event.by, resumedAt: at, resumeReason: event.reason } : pause,
  );
  const next: Run = { ...run, pauses };
  return accept(run, next, event, at, nudgesOnResume(next, now), { detail: event.reason });
}

export function rollBack(run: Run, event: EventOf<"roll_back">, now: Date): Decision {
  const refusal = permitted(run, event) ?? withoutReason(event, "rolling back");
  if (refusal) return refusal;
  const at = now.toISOString();
  const { next, effects } = intoRollback(run, event, at);
  return accept(run, next, event, at, effects, { detail: event.reason });
}

/** The run switched into rollback; with nothing to undo, it is rolled back at once. */
function intoRollback(run: Run, event: { by: string; reason: string }, at: string) {
  const plan = rollbackPlan(run);
  const effects: Effect[] = cancelRunningNudges(run);
  if (!plan) {
    const closed: Run = { ...run, status: "rolled_back", closedAt: at };
    const rollback = { reason: event.reason, by: event.by, at, phaseId: "", source: "steps" as const };
    effects.push({ type: "cancel_reminders", runId: run.id, keepOnAbort: true });
    effects.push({ type: "run_closed", outcome: "rolled_back" });
    // Like every other close: the history, and the ticket comment and post-mortem issue.
    const trackers = trackerCloseEffects({ ...closed, rollback });
    effects.push(...recordHistory(trackers.run), ...trackers.effects);
    return { next: trackers.run, effects };
  }
  const rollback = { reason: event.reason, by: event.by, at, phaseId: plan.phase.id, source: plan.source };
  return { next: { ...withRollbackPhase(run, plan.phase), rollback }, effects };
}

export function decide(run: Run, event: EventOf<"decide">, now: Date, closeAborted: CloseAborted): Decision {
  const refusal = permitted(run, event) ?? withoutReason(event, "this decision");
  if (refusal) return refusal;
  const located = findStep(run, event.stepId) as LocatedStep;
  const decision = located.plan.decision;
  if (!decision?.options.includes(event.option))
    return refuse(
      "wrong_state",
      `"${located.plan.title}" offers ${decision?.options.join(", ") ?? "no options"}, not ${event.option}.`,
    );
  // Going on waits for a soak time as starting a step does; pausing, rolling back and aborting do not.
  const soaking = event.option === "continue" ? soakRefusal(run, located, now) : undefined;
  if (soaking) return refused(soaking);
  const at = now.toISOString();
  const record = { stepId: located.plan.id, option: event.option, reason: event.reason, by: event.by, at };
  const recorded: Run = { ...run, decisions: [...run.decisions, record] };
  // Pause leaves the question open: after resuming, the decider picks again.
  if (event.option === "pause")
    return accept(run, paused(recorded, event, at), event, at, nudgesOnPause(run), decisionDetail(event));
  const decided: StepState = {
    ...located.state,
    status: "done",
    startedAt: located.state.startedAt ?? at,
    startedBy: located.state.startedBy ?? event.by,
    completedAt: at,
    completedBy: event.by,
  };
  const next = withStep(recorded, decided);
  if (event.option === "abort")
    return closeAborted(next, { ...event, reason: `${located.plan.title}: ${event.reason}` }, now);
  if (event.option === "roll_back") {
    const rolling = intoRollback(next, event, at);
    return accept(run, rolling.next, event, at, rolling.effects, decisionDetail(event));
  }
  const reminders = scheduleReminders(next, { on: "step.done", stepId: located.plan.id }, now);
  return accept(run, reminders.run, event, at, reminders.effects, decisionDetail(event));
}

function decisionDetail(event: EventOf<"decide">) {
  return { stepId: event.stepId, detail: `${event.option.replace("_", " ")}: ${event.reason}` };
}

/**
 * A failed automated step done by hand: what was done is kept (`key=value` pairs in it become the
 * step's results, e.g. `id=my-snapshot`), and a teammate must verify it.
 */
export function doneByHand(run: Run, event: EventOf<"done_by_hand">, now: Date): Decision {
  const refusal = permitted(run, event);
  if (refusal) return refusal;
  if (event.text.trim() === "")
    return refuse(
      "reason_required",
      "Say what was done by hand (the commands, the ids): a teammate checks it.",
    );
  const at = now.toISOString();
  const located = findStep(run, event.stepId) as LocatedStep;
  const { state, plan } = located;
  const done: StepState = {
    ...state,
    status: "awaiting_verification",
    completedAt: at,
    completedBy: event.by,
    results: { ...state.results, ...resultsIn(event.text) },
    manual: { text: event.text, by: event.by, at },
    actionStatus: undefined,
  };
  const named = namedVerifiers(run, plan);
  const ask = (named ?? (run.buddy ? [run.buddy] : [])).filter((user) => user !== event.by);
  const effects: Effect[] = [{ type: "request_verification", stepId: plan.id, completedBy: event.by, ask }];
  return accept(run, withStep(run, done), event, at, effects, { stepId: plan.id, detail: event.text });
}

/** `id=snap-1 status=available` → { id: "snap-1", status: "available" }. */
function resultsIn(text: string): Record<string, string> {
  const pairs = [...text.matchAll(/\b([a-z][a-z0-9_]{0,30})=([^\s,;]{1,200})/g)];
  return Object.fromEntries(pairs.map((match) => [match[1] as string, match[2] as string]));
}
