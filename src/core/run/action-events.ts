import { mapStrings, renderTemplate } from "../checklist/template.js";
import { parseDurationRange } from "../duration.js";
import {
  accept,
  type Decision,
  type EventOf,
  refuse,
  refused,
  scheduleReminders,
  unknownStep,
  withStep,
} from "./decision.js";
import type { Effect } from "./effects.js";
import { can } from "./permissions.js";
import { stepResultValues } from "./reminders.js";
import type { Run, RunEvent, StepState } from "./run-schema.js";
import { describeStatus, findStep, type LocatedStep, namedVerifiers } from "./step-rules.js";

export { isProtected } from "./step-rules.js";

/**
 * Steps with an automated action (AWS RDS). Starting one asks the executor to run the action;
 * a mutating action in a protected environment first waits for a teammate's approval. The
 * executor reports back with action_progress / action_succeeded / action_failed.
 */

/** Effects that start a step's work: nudges when it is timed, and its action with results filled in. */
export function workEffects(run: Run, located: LocatedStep, startedAt: string): Effect[] {
  const effects: Effect[] = [];
  const range = located.plan.duration ? parseDurationRange(located.plan.duration) : undefined;
  if (range && range.maxMs > 0) {
    const start = Date.parse(startedAt);
    const nudges = [start + range.maxMs, start + 2 * range.maxMs].map((ms) => new Date(ms).toISOString());
    effects.push({ type: "schedule_overrun_nudges", stepId: located.plan.id, at: nudges });
  }
  if (located.plan.action) {
    const values = stepResultValues(run);
    const action = mapStrings(located.plan.action, (text) => renderTemplate(text, values));
    // Progress grows with every start, so a retry after a failure is a new job.
    const jobKey = `${run.id}.${located.plan.id}.action.${run.progress}`;
    effects.push({ type: "run_action", stepId: located.plan.id, action, dryRun: run.dryRun, jobKey });
  }
  return effects;
}

export function approveStep(run: Run, event: EventOf<"approve_step">, at: string): Decision {
  const permission = can(run, { type: "approve_step", stepId: event.stepId }, event.by, event.groups);
  if (!permission.allowed) return refused(permission.refusal);
  const located = findStep(run, event.stepId) as LocatedStep;
  const { state, plan } = located;
  const approved: StepState = { ...state, status: "running", approvedAt: at, approvedBy: event.by };
  const next = withStep(run, approved);
  return accept(run, next, event, at, workEffects(next, { ...located, state: approved }, at), {
    stepId: plan.id,
  });
}

export function actionProgress(run: Run, event: EventOf<"action_progress">, at: string): Decision {
  const located = runningStep(run, event);
  if ("refusal" in located) return located.refusal;
  const next = withStep(run, { ...located.state, actionStatus: event.status });
  // Progress redraws the message; it is not worth a line in the thread.
  const decision = accept(run, next, event, at, [], { stepId: event.stepId, detail: event.status });
  return decision.accepted ? { ...decision, effects: [{ type: "refresh_run_message" }] } : decision;
}

export function actionSucceeded(run: Run, event: EventOf<"action_succeeded">, now: Date): Decision {
  const at = now.toISOString();
  const located = runningStep(run, event);
  if ("refusal" in located) return located.refusal;
  const { state, plan } = located;
  // The person who started the step triggered the call: the two-person rule treats it as theirs.
  const completedBy = state.startedBy ?? event.by;
  const completed: StepState = {
    ...state,
    status: plan.verify ? "awaiting_verification" : "done",
    completedAt: at,
    completedBy,
    results: { ...state.results, ...event.results },
    actionStatus: undefined,
    ...(event.check ? { check: event.check } : {}),
  };
  let next = withStep(run, completed);
  const effects: Effect[] = plan.duration ? [{ type: "cancel_overrun_nudges", stepId: plan.id }] : [];
  if (plan.verify) {
    const named = namedVerifiers(run, plan);
    const ask = (named ?? (run.buddy ? [run.buddy] : [])).filter((user) => user !== completedBy);
    effects.push({ type: "request_verification", stepId: plan.id, completedBy, ask });
  } else {
    const reminders = scheduleReminders(next, { on: "step.done", stepId: plan.id }, now);
    next = reminders.run;
    effects.push(...reminders.effects);
  }
  const detail = Object.entries(event.results)
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
  return accept(run, next, event, at, effects, { stepId: plan.id, detail });
}

export function actionFailed(run: Run, event: EventOf<"action_failed">, at: string): Decision {
  const located = runningStep(run, event);
  if ("refusal" in located) return located.refusal;
  const failed: StepState = {
    ...located.state,
    status: "failed",
    failure: event.error,
    actionStatus: undefined,
    ...(event.results ? { results: { ...located.state.results, ...event.results } } : {}),
    ...(event.check ? { check: event.check } : {}),
  };
  const effects: Effect[] = located.plan.duration
    ? [{ type: "cancel_overrun_nudges", stepId: located.plan.id }]
    : [];
  return accept(run, withStep(run, failed), event, at, effects, {
    stepId: located.plan.id,
    detail: event.error,
  });
}

/**
 * Reports come from Preflight only, and only for a running step: one that was skipped or
 * retried since is left alone.
 */
function runningStep(run: Run, event: RunEvent & { stepId: string }): LocatedStep | { refusal: Decision } {
  const permission = can(run, { type: "report_action" }, event.by);
  if (!permission.allowed) return { refusal: refused(permission.refusal) };
  const stepId = event.stepId;
  const located = findStep(run, stepId);
  if (!located) return { refusal: unknownStep(stepId) };
  if (located.state.status !== "running") {
    return {
      refusal: refuse(
        "wrong_state",
        `"${located.plan.title}" is ${describeStatus(located.state.status)}; the report of its action came too late.`,
      ),
    };
  }
  return located;
}
