import { parseDuration } from "../duration.js";
import { own } from "../own.js";
import { type Condition, conditionNames, parseCondition, resolveNames, type Value } from "./condition.js";
import type { Checklist } from "./schema.js";

/** A problem at a path inside the document (validate-checklist.ts reports it). */
interface ChecklistIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Whole-document rules of conditional and timed steps: every `when:` and `required_when:` parses
 * and reads declared parameters with values they can take; every `not_before` names an earlier step.
 */
export function checkConditionalSteps(checklist: Checklist): ChecklistIssue[] {
  const issues: ChecklistIssue[] = [];
  const earlier = new Set<string>();
  checklist.phases.forEach((phase, p) => {
    if (phase.when !== undefined)
      issues.push(...conditionIssues(checklist, phase.when, ["phases", p, "when"]));
    phase.steps.forEach((step, s) => {
      const path = ["phases", p, "steps", s];
      if (step.when !== undefined) issues.push(...conditionIssues(checklist, step.when, [...path, "when"]));
      if (step.required_when !== undefined) {
        issues.push(...conditionIssues(checklist, step.required_when, [...path, "required_when"]));
        if (!step.skippable)
          issues.push({
            path: [...path, "required_when"],
            message: "the step is skippable: false already, so it is always required: drop required_when",
          });
      }
      if (step.not_before !== undefined) {
        const gate = parseNotBefore(step.not_before);
        if (gate && !earlier.has(gate.stepId))
          issues.push({
            path: [...path, "not_before"],
            message: `not_before names "${gate.stepId}", which is not an earlier step of this checklist`,
          });
      }
      earlier.add(step.id);
    });
  });
  return issues;
}

/** `24h after soak-start` → the wait and the step it counts from. */
export function parseNotBefore(text: string): { afterMs: number; stepId: string } | undefined {
  const match = /^(\S+) after ([a-z][a-z0-9-]*)$/.exec(text);
  const afterMs = match ? parseDuration(match[1] as string) : undefined;
  return match && afterMs !== undefined ? { afterMs, stepId: match[2] as string } : undefined;
}

function conditionIssues(checklist: Checklist, source: string, path: (string | number)[]): ChecklistIssue[] {
  const parsed = parseCondition(source);
  if (!parsed.ok)
    return [
      {
        path,
        message: `condition "${source}": ${parsed.message} (write e.g. destructive == true, env in [stage, prod], not destructive and env != qa)`,
      },
    ];
  const declared = new Set(Object.keys(checklist.parameters));
  const condition = resolveNames(parsed.condition, declared);
  const issues: ChecklistIssue[] = [];
  for (const name of conditionNames(parsed.condition)) {
    if (!declared.has(name) && readsAsParameter(parsed.condition, name))
      issues.push({
        path,
        message: `condition "${source}": no parameter is named "${name}" (parameters: ${[...declared].join(", ") || "none"})`,
      });
  }
  for (const problem of valueProblems(checklist, condition))
    issues.push({ path, message: `condition "${source}": ${problem}` });
  return issues;
}

/** A name on the left of a comparison (or standing alone) must be a parameter; on the right it may be text. */
function readsAsParameter(condition: Condition, name: string): boolean {
  const is = (value: Value) => value.kind === "name" && value.name === name;
  switch (condition.kind) {
    case "or":
    case "and":
      return readsAsParameter(condition.left, name) || readsAsParameter(condition.right, name);
    case "not":
      return readsAsParameter(condition.operand, name);
    case "compare":
    case "in":
      return is(condition.left);
    case "truthy":
      return is(condition.value);
  }
}

/** `env == prdo` against an enum, `destructive == yes` against a boolean: caught at load, not at run. */
function valueProblems(checklist: Checklist, condition: Condition): string[] {
  const allowed = (value: Value): string[] | undefined => {
    if (value.kind !== "name") return undefined;
    const parameter = own(checklist.parameters, value.name);
    if (parameter?.type === "enum") return parameter.values;
    if (parameter?.type === "boolean") return ["true", "false"];
    return undefined;
  };
  const check = (left: Value, right: Value): string[] => {
    const values = allowed(left);
    if (!values || right.kind !== "literal" || values.includes(right.value)) return [];
    const name = left.kind === "name" ? left.name : "";
    return [`"${right.value}" is not a value of ${name}: use one of ${values.join(", ")}`];
  };
  switch (condition.kind) {
    case "or":
    case "and":
      return [...valueProblems(checklist, condition.left), ...valueProblems(checklist, condition.right)];
    case "not":
      return valueProblems(checklist, condition.operand);
    case "compare":
      return condition.op === "==" || condition.op === "!=" ? check(condition.left, condition.right) : [];
    case "in":
      return condition.values.flatMap((value) => check(condition.left, value));
    case "truthy": {
      const value = condition.value;
      if (
        value.kind === "name" &&
        own(checklist.parameters, value.name) &&
        own(checklist.parameters, value.name)?.type !== "boolean"
      )
        return [`${value.name} is not a boolean parameter: compare it, as in ${value.name} == <value>`];
      return [];
    }
  }
}
