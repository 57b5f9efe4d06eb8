import type { RecordField } from "../checklist/check-schema.js";
import type { Step } from "../checklist/schema.js";

/**
 * Values a person records when completing a manual step (`record:` in the checklist, a modal in
 * Slack). They are kept with the step's results, so later steps compare against them as
 * `{{steps.<id>.<name>}}`, and the verifier sees them next to Verify.
 */

export type RecordedValues = { values?: Record<string, string> } | { refusal: string };

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
export const RECORDED_VALUE_CHARS = 500;

export function recordedValues(
  plan: Step,
  given: Readonly<Record<string, string>> | undefined,
): RecordedValues {
  const fields = plan.record;
  if (!fields) {
    if (given && Object.keys(given).length > 0)
      return { refusal: `"${plan.title}" records no values; complete it with its Done button.` };
    return {};
  }
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, field] of Object.entries(fields)) {
    const value = given?.[name]?.trim() ?? "";
    const problem = fieldProblem(field, name, value);
    if (problem) problems.push(problem);
    else if (value !== "") values[name] = field.type === "string" ? value : value.replace(/[,_\s]/g, "");
  }
  const unknown = Object.keys(given ?? {}).filter((name) => fields[name] === undefined);
  if (unknown.length > 0)
    problems.push(`${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} not asked for`);
  if (problems.length > 0)
    return {
      refusal: `"${plan.title}" was not completed: ${problems.join("; ")}. It asks for ${describeFields(plan)}.`,
    };
  return { values };
}

/** What is wrong with one value (as typed), in words; undefined when it is fine. */
export function fieldProblem(field: RecordField, name: string, value: string): string | undefined {
  const label = field.label ?? name;
  if (value === "") return field.optional ? undefined : `${label} is missing`;
  const plain = value.replace(/[,_\s]/g, "");
  if (field.type === "integer" && !INTEGER.test(plain))
    return `${label} must be a whole number such as 42 (got "${value.slice(0, 40)}")`;
  if (field.type === "number" && !NUMBER.test(plain))
    return `${label} must be a number such as 4.2 (got "${value.slice(0, 40)}")`;
  if (value.length > RECORDED_VALUE_CHARS)
    return `${label} is longer than ${RECORDED_VALUE_CHARS} characters`;
  return undefined;
}

export function describeFields(plan: Step): string {
  return Object.entries(plan.record ?? {})
    .map(([name, field]) => `${field.label ?? name} (${field.type}${field.optional ? ", optional" : ""})`)
    .join(", ");
}

export function recordedDetail(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
}
