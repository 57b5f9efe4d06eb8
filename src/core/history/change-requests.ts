import type { Run } from "../run/run-schema.js";
import { planSteps } from "../run/step-rules.js";
import type { ChangeRequest } from "./history-schema.js";

/**
 * Follow-ups that ask to change the checklist ("Change in the checklist: …" from the follow-ups
 * form, or any follow-up that talks about the checklist), each with the step it is about when the
 * text names one: by its id (`take-snapshot`), its number (`step 3`) or its title.
 */

const FROM_THE_FORM = /^change in the checklist:\s*/i;
const MENTIONS_CHECKLIST = /\bchecklist\b/i;

export function asksToChangeChecklist(text: string): boolean {
  return FROM_THE_FORM.test(text) || MENTIONS_CHECKLIST.test(text);
}

export function changeRequestsOf(run: Run): ChangeRequest[] {
  const steps = planSteps(run).map((entry) => ({ id: entry.plan.id, title: entry.plan.title }));
  return run.followUps
    .filter((followUp) => asksToChangeChecklist(followUp.text))
    .map((followUp) => {
      const text = followUp.text.replace(FROM_THE_FORM, "").trim();
      const stepId = stepNamedIn(followUp.text, steps);
      return { at: followUp.at, by: followUp.by, text, ...(stepId ? { stepId } : {}) };
    });
}

/** The step a text is about: its id, else `step N`, else the longest title it contains. */
export function stepNamedIn(
  text: string,
  steps: readonly { id: string; title: string }[],
): string | undefined {
  const lower = text.toLowerCase();
  const byId = steps.find((step) => new RegExp(`(?<![\\w-])${escapeRegExp(step.id)}(?![\\w-])`).test(lower));
  if (byId) return byId.id;
  const number = /\bstep\s+#?(\d{1,3})\b/i.exec(text)?.[1];
  const byNumber = number === undefined ? undefined : steps[Number(number) - 1];
  if (byNumber) return byNumber.id;
  const byTitle = steps
    .filter((step) => step.title.trim().length >= 4 && lower.includes(step.title.trim().toLowerCase()))
    .sort((a, b) => b.title.length - a.title.length)[0];
  return byTitle?.id;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
