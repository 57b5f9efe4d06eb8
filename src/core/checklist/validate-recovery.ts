import { type Checklist, LIMITS } from "./schema.js";

/** The shape of validate-checklist.ts's ChecklistIssue (not imported: no cycle). */
interface ChecklistIssue {
  path: (string | number)[];
  message: string;
}

/** Rules of decision points and the rollback phase that need the whole document. */
export function checkRecovery(checklist: Checklist): ChecklistIssue[] {
  const issues: ChecklistIssue[] = [];
  const ids = new Set<string>();
  checklist.phases.forEach((phase, p) => {
    phase.steps.forEach((step, s) => {
      ids.add(step.id);
      const path = ["phases", p, "steps", s];
      if (step.decision && (step.action || step.irreversible))
        issues.push({
          path: [...path, "decision"],
          message:
            "a decision point is decided, not run: give it no action and no irreversible (put those on the next step)",
        });
      if (step.decision && !step.decision.options.includes("continue"))
        issues.push({
          path: [...path, "decision", "options"],
          message: "a decision point must offer continue, or the run could never go on",
        });
    });
  });
  // Rolling back appends one phase to the run's plan, which must still be a valid checklist.
  const canRollBack =
    checklist.rollback !== undefined ||
    checklist.phases.some((phase) => phase.steps.some((step) => step.rollback || step.rollback_action));
  if (canRollBack && checklist.phases.length >= LIMITS.phases)
    issues.push({
      path: ["phases"],
      message: `a checklist that can roll back may have at most ${LIMITS.phases - 1} phases: rolling back adds one`,
    });
  checklist.rollback?.steps.forEach((step, s) => {
    const path = ["rollback", "steps", s];
    if (ids.has(step.id))
      issues.push({
        path: [...path, "id"],
        message: `duplicate step id "${step.id}": rollback steps need ids of their own`,
      });
    ids.add(step.id);
    if (step.decision)
      issues.push({ path: [...path, "decision"], message: "a rollback step can't be a decision point" });
  });
  return issues;
}
