import { conditionHolds } from "../checklist/condition.js";
import type { Checklist } from "../checklist/schema.js";

/**
 * What a run's parameters make of the checklist's conditions, decided once when the run is
 * created (parameters never change during a run): steps whose `when:` (or whose phase's) does not
 * hold are not applicable, and a skippable step whose `required_when:` holds becomes unskippable.
 */
export function applyConditions(
  plan: Checklist,
  params: Readonly<Record<string, string>>,
): { plan: Checklist; notApplicable: Set<string> } {
  const notApplicable = new Set<string>();
  const phases = plan.phases.map((phase) => {
    const phaseApplies = phase.when === undefined || conditionHolds(phase.when, params);
    const steps = phase.steps.map((step) => {
      if (!phaseApplies || (step.when !== undefined && !conditionHolds(step.when, params)))
        notApplicable.add(step.id);
      const required = step.required_when !== undefined && conditionHolds(step.required_when, params);
      return required ? { ...step, skippable: false } : step;
    });
    return { ...phase, steps };
  });
  return { plan: { ...plan, phases }, notApplicable };
}
