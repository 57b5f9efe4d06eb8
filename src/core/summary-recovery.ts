import type { Run } from "./run/run-schema.js";
import type { DecisionSummary, PauseSummary, StepSummary, Summary } from "./summary-types.js";

/** The post-mortem's record of decisions, pauses and a roll back (summary.ts adds it to the rest). */
export function recoverySummary(
  run: Run,
  steps: readonly StepSummary[],
  endMs: number,
): Pick<Summary, "decisions" | "pauses" | "rollback"> {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const questions = new Map(
    run.plan.phases.flatMap((phase) => phase.steps).map((step) => [step.id, step.decision?.question ?? ""]),
  );
  const decisions: DecisionSummary[] = (run.decisions ?? []).map((decision) => {
    const step = byId.get(decision.stepId);
    return {
      step: { number: step?.number ?? 0, title: step?.title ?? decision.stepId },
      question: questions.get(decision.stepId) ?? "",
      option: decision.option,
      reason: decision.reason,
      by: decision.by,
      at: decision.at,
    };
  });
  const pauses: PauseSummary[] = (run.pauses ?? []).map((pause) => ({
    ...pause,
    durationMs: Math.max(0, (pause.resumedAt ? Date.parse(pause.resumedAt) : endMs) - Date.parse(pause.at)),
  }));
  const rollback = run.rollback
    ? { reason: run.rollback.reason, by: run.rollback.by, at: run.rollback.at }
    : undefined;
  return {
    ...(decisions.length > 0 ? { decisions } : {}),
    ...(pauses.length > 0 ? { pauses } : {}),
    ...(rollback ? { rollback } : {}),
  };
}
