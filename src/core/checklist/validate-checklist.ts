import { parseDuration, parseDurationRange } from "../duration.js";
import { ticketRuleIssues } from "../tracker/ticket.js";
import { checkIssues } from "./check-rules.js";
import type { Checklist } from "./schema.js";
import { BUILT_INS, stepResultReference, templateNames } from "./template.js";
import { checkConditionalSteps } from "./validate-conditions.js";
import { checkRecovery } from "./validate-recovery.js";

/** A problem found in a checklist, at a path inside the document. */
export interface ChecklistIssue {
  path: (string | number)[];
  message: string;
}

const RESERVED_PARAMETERS = new Set(["date", "time", "run", "checklist", "steps"]);

/** Rules that need the whole document; runs after the zod schema accepted its shape. */
export function validateChecklist(checklist: Checklist): ChecklistIssue[] {
  return [
    ...checkUniqueIds(checklist),
    ...checkParameters(checklist),
    ...checkSteps(checklist),
    ...checkReminders(checklist),
    ...checkRules(checklist),
    ...checkTemplates(checklist),
    ...checkLinkParameters(checklist),
    ...checkConditionalSteps(checklist),
    ...checkRecovery(checklist),
    ...ticketRuleIssues(checklist),
  ];
}

/**
 * A link whose target starts with a `{{parameter}}` lets whoever starts the run choose where it
 * points: only a parameter declared `type: url` (an http(s) URL, checked at start) may do that.
 */
function checkLinkParameters(checklist: Checklist): ChecklistIssue[] {
  const issues: ChecklistIssue[] = [];
  const check = (target: string, path: (string | number)[]) => {
    const name = /^\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/.exec(target)?.[1];
    if (name === undefined || checklist.parameters[name]?.type === "url") return;
    issues.push({
      path,
      message: `a link target starts with {{${name}}}: declare ${name} with type: url (only url parameters may become links)`,
    });
  };
  checklist.phases.forEach((phase, p) => {
    phase.steps.forEach((step, s) => {
      const path = ["phases", p, "steps", s];
      step.links?.forEach((link, l) => {
        check(link.url, [...path, "links", l, "url"]);
      });
      for (const match of (step.details ?? "").matchAll(/\]\(\s*(\{\{[^)]*)\)/g))
        check(match[1] as string, [...path, "details"]);
    });
  });
  return issues;
}

/** Template names checked on a document the schema refused, so one pass reports them too. */
export function checkTemplatesOfRawDocument(data: unknown): ChecklistIssue[] {
  if (data === null || typeof data !== "object") return [];
  const doc = data as { parameters?: unknown; phases?: unknown };
  const parameterNames =
    doc.parameters && typeof doc.parameters === "object" ? Object.keys(doc.parameters) : [];
  const stepIds = Array.isArray(doc.phases)
    ? doc.phases.flatMap((phase: { steps?: unknown }) =>
        Array.isArray(phase?.steps) ? phase.steps.map((step: { id?: unknown }) => String(step?.id)) : [],
      )
    : [];
  return templateIssues(data, parameterNames, stepIds);
}

function checkUniqueIds(checklist: Checklist): ChecklistIssue[] {
  const issues: ChecklistIssue[] = [];
  const seenSteps = new Map<string, string>();
  const seenPhases = new Set<string>();
  checklist.phases.forEach((phase, p) => {
    if (seenPhases.has(phase.id)) {
      issues.push({
        path: ["phases", p, "id"],
        message: `duplicate phase id "${phase.id}": phase ids must be unique`,
      });
    }
    seenPhases.add(phase.id);
    phase.steps.forEach((step, s) => {
      const earlier = seenSteps.get(step.id);
      if (earlier) {
        issues.push({
          path: ["phases", p, "steps", s, "id"],
          message: `duplicate step id "${step.id}" (already used in phase "${earlier}"): step ids must be unique in a checklist`,
        });
      }
      seenSteps.set(step.id, phase.id);
    });
  });
  const seenReminders = new Set<string>();
  checklist.reminders.forEach((reminder, r) => {
    if (seenReminders.has(reminder.id)) {
      issues.push({ path: ["reminders", r, "id"], message: `duplicate reminder id "${reminder.id}"` });
    }
    seenReminders.add(reminder.id);
  });
  return issues;
}

function checkParameters(checklist: Checklist): ChecklistIssue[] {
  const issues: ChecklistIssue[] = [];
  for (const [name, parameter] of Object.entries(checklist.parameters)) {
    const path = ["parameters", name];
    if (RESERVED_PARAMETERS.has(name)) {
      issues.push({ path, message: `"${name}" is a built-in name; choose another parameter name` });
    }
    // `constructor`, `toString`, …: as parameter names they would read as set when nobody set them.
    if (name in Object.prototype)
      issues.push({
        path,
        message: `"${name}" is a name every object already has: choose another parameter name`,
      });
    if (
      parameter.type === "enum" &&
      parameter.default !== undefined &&
      !parameter.values.includes(parameter.default)
    ) {
      issues.push({
        path: [...path, "default"],
        message: `default "${parameter.default}" is not one of the allowed values: ${parameter.values.join(", ")}`,
      });
    }
    if (parameter.type === "string" && parameter.pattern !== undefined) {
      try {
        new RegExp(parameter.pattern);
      } catch {
        issues.push({
          path: [...path, "pattern"],
          message: `"${parameter.pattern}" is not a valid regular expression`,
        });
      }
    }
    if (parameter.type === "number" && parameter.min !== undefined && parameter.max !== undefined) {
      if (parameter.min > parameter.max)
        issues.push({ path: [...path, "min"], message: "min is greater than max" });
    }
  }
  return issues;
}

function checkSteps(checklist: Checklist): ChecklistIssue[] {
  const issues: ChecklistIssue[] = [];
  const steps = checklist.phases.flatMap((phase, p) =>
    phase.steps.map((step, s) => ({ step, path: ["phases", p, "steps", s] })),
  );
  let downtimeStart: number | undefined;
  steps.forEach(({ step, path }, index) => {
    if (step.duration !== undefined && parseDurationRange(step.duration) === undefined) {
      issues.push({
        path: [...path, "duration"],
        message: `"${step.duration}": the shorter duration must come first, as in 10m-20m`,
      });
    }
    if (step.parallel_with_next && index === steps.length - 1) {
      issues.push({
        path: [...path, "parallel_with_next"],
        message: "the last step has no next step to run in parallel with",
      });
    }
    if (step.downtime === "start") {
      if (downtimeStart !== undefined)
        issues.push({ path: [...path, "downtime"], message: "only one step may start the downtime" });
      downtimeStart = index;
    }
    if (step.downtime === "end" && downtimeStart === undefined) {
      issues.push({
        path: [...path, "downtime"],
        message: "downtime ends here but no earlier step has downtime: start",
      });
    }
    if (step.verifiers !== undefined && !step.verify) {
      issues.push({ path: [...path, "verifiers"], message: "verifiers are named but verify is not true" });
    }
    issues.push(...checkIssues(step, path));
  });
  return issues;
}

function checkReminders(checklist: Checklist): ChecklistIssue[] {
  const stepIds = new Set(checklist.phases.flatMap((phase) => phase.steps.map((step) => step.id)));
  const issues: ChecklistIssue[] = [];
  checklist.reminders.forEach((reminder, r) => {
    const path = ["reminders", r];
    if (reminder.on === "step.done" && reminder.step === undefined) {
      issues.push({
        path: [...path, "on"],
        message: "on: step.done needs a step: the id of the step whose completion triggers it",
      });
    }
    if (reminder.on !== "step.done" && reminder.step !== undefined) {
      issues.push({
        path: [...path, "step"],
        message: `step is only used with on: step.done (this reminder is on: ${reminder.on})`,
      });
    }
    if (reminder.step !== undefined && !stepIds.has(reminder.step)) {
      issues.push({ path: [...path, "step"], message: `no step has the id "${reminder.step}"` });
    }
    if (reminder.action !== undefined && reminder.action.type !== "rds.delete_snapshot") {
      issues.push({
        path: [...path, "action", "type"],
        message: `a reminder can offer only rds.delete_snapshot (as a button on the reminder); ${reminder.action.type} belongs on a step`,
      });
    }
    if (parseDuration(reminder.after) === undefined) {
      issues.push({
        path: [...path, "after"],
        message: `"${reminder.after}" is not a duration such as 30d or 2h`,
      });
    }
  });
  return issues;
}

function checkRules(checklist: Checklist): ChecklistIssue[] {
  const { rules, parameters } = checklist;
  const issues: ChecklistIssue[] = [];
  if (rules.environment === undefined) {
    if (rules.environments !== undefined) {
      issues.push({
        path: ["rules", "environments"],
        message: "environments need rules.environment: the parameter that names the environment",
      });
    }
    return issues;
  }
  const parameter = parameters[rules.environment];
  if (parameter?.type !== "enum") {
    issues.push({
      path: ["rules", "environment"],
      message: `"${rules.environment}" must name an enum parameter (such as env with values qa, stage, prod)`,
    });
    return issues;
  }
  const allowed = parameter.values;
  const unknown = (value: string) => !allowed.includes(value);
  for (const [name, rule] of Object.entries(rules.environments ?? {})) {
    const path = ["rules", "environments", name];
    if (unknown(name))
      issues.push({
        path,
        message: `"${name}" is not a value of ${rules.environment}: ${allowed.join(", ")}`,
      });
    for (const earlier of rule.requires_completed ?? []) {
      if (unknown(earlier)) {
        issues.push({
          path: [...path, "requires_completed"],
          message: `"${earlier}" is not a value of ${rules.environment}: ${allowed.join(", ")}`,
        });
      }
    }
    for (const shared of rule.same ?? []) {
      if (parameters[shared] === undefined)
        issues.push({ path: [...path, "same"], message: `no parameter is named "${shared}"` });
    }
  }
  return issues;
}

function checkTemplates(checklist: Checklist): ChecklistIssue[] {
  const stepIds = checklist.phases.flatMap((phase) => phase.steps.map((step) => step.id));
  return templateIssues(checklist, Object.keys(checklist.parameters), stepIds);
}

function templateIssues(document: unknown, parameterNames: string[], stepIdList: string[]): ChecklistIssue[] {
  const known = new Set<string>([...BUILT_INS, ...parameterNames]);
  const stepIds = new Set(stepIdList);
  const issues: ChecklistIssue[] = [];
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === "string") {
      for (const name of templateNames(value)) {
        const message = describeUnknownName(name, known, stepIds);
        if (message) issues.push({ path, message });
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        visit(item, [...path, i]);
      });
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
    }
  };
  visit(document, []);
  return issues;
}

function describeUnknownName(name: string, known: Set<string>, stepIds: Set<string>): string | undefined {
  if (known.has(name)) return undefined;
  const result = stepResultReference(name);
  if (result) {
    return stepIds.has(result.stepId)
      ? undefined
      : `{{${name}}} names step "${result.stepId}", which this checklist does not have`;
  }
  const accepted = [...known].map((n) => `{{${n}}}`).join(", ");
  return `{{${name}}} is not defined: no parameter or built-in has that name (accepted: ${accepted}, {{steps.<step-id>.<result>}})`;
}
