import { LIMITS } from "./schema.js";
import type { ChecklistIssue } from "./validate-checklist.js";

/**
 * What checking a document may cost: the values and characters it holds once aliases are
 * expanded. A 1 MB file without aliases stays far below; aliases repeating a large part don't.
 */
export const DOCUMENT_LIMITS = { values: 200_000, chars: 4_000_000 } as const;

/** Every value fits the longest text field (details); every key and id fits in a Slack button value. */
export const VALUE_LIMITS = { textChars: LIMITS.detailsChars, keyChars: 64, idChars: 64 } as const;

/** Bounds checked on the raw document before the schema: too many steps, or too much to check. */
export function checkSizeOfRawDocument(data: unknown): ChecklistIssue[] {
  const issues: ChecklistIssue[] = [];
  if (!withinBudget(data)) {
    const { values, chars } = DOCUMENT_LIMITS;
    issues.push({
      path: [],
      message: `the document expands to more than ${values.toLocaleString("en-US")} values or ${chars.toLocaleString("en-US")} characters (YAML aliases repeat large parts of it): write the repeated part once, or split the checklist`,
    });
  }
  if (issues.length === 0) issues.push(...oversizedValues(data));
  const phases = (data as { phases?: unknown } | null)?.phases;
  const steps = Array.isArray(phases)
    ? phases.reduce<number>((sum, phase: { steps?: unknown }) => {
        const list = phase?.steps;
        return sum + (Array.isArray(list) ? list.length : 0);
      }, 0)
    : 0;
  if (steps > LIMITS.stepsPerChecklist) {
    issues.push({
      path: ["phases"],
      message: `${steps.toLocaleString("en-US")} steps: a checklist may have at most ${LIMITS.stepsPerChecklist} (split it into several checklists)`,
    });
  }
  return issues;
}

/** Texts longer than any field allows, and keys or ids too long for a button value (first 20). */
function oversizedValues(data: unknown): ChecklistIssue[] {
  const issues: ChecklistIssue[] = [];
  const count = (n: number) => n.toLocaleString("en-US");
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (issues.length >= 20) return;
    const last = path.at(-1);
    if (typeof value === "string") {
      if ((last === "id" || last === "step") && value.length > VALUE_LIMITS.idChars) {
        issues.push({
          path,
          message: `an id of ${count(value.length)} characters: at most ${VALUE_LIMITS.idChars} are allowed`,
        });
      } else if (value.length > VALUE_LIMITS.textChars) {
        issues.push({
          path,
          message: `${count(value.length)} characters: no text may be longer than ${count(VALUE_LIMITS.textChars)}`,
        });
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, [...path, i]);
      });
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (key.length > VALUE_LIMITS.keyChars) {
          issues.push({
            path: [...path, `${key.slice(0, 20)}…`],
            message: `a key of ${count(key.length)} characters: at most ${VALUE_LIMITS.keyChars} are allowed`,
          });
        } else visit(item, [...path, key]);
      }
    }
  };
  visit(data, []);
  return issues;
}

/** Walks the document as it would be checked (aliases expanded), stopping once over the budget. */
function withinBudget(data: unknown): boolean {
  let values = 0;
  let chars = 0;
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const value = stack.pop();
    values += 1;
    if (typeof value === "string") chars += value.length;
    else if (Array.isArray(value)) for (const item of value) stack.push(item);
    else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        chars += key.length;
        stack.push(item);
      }
    }
    if (values > DOCUMENT_LIMITS.values || chars > DOCUMENT_LIMITS.chars) return false;
  }
  return true;
}
