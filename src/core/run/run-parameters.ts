import { matchesWithin, tooSlowToCheck } from "../bounded-match.js";
import type { Checklist, Parameter } from "../checklist/schema.js";
import { renderTemplateBy } from "../checklist/template.js";
import { own } from "../own.js";
import { checkTicket, TICKET_PARAM } from "../tracker/ticket.js";

/** A run's parameters: the values given, checked against the checklist, with defaults filled in. */

export interface ParameterError {
  name: string;
  message: string;
}

export type ParameterResult =
  | { ok: true; values: Record<string, string>; ticket?: string }
  | { ok: false; errors: ParameterError[]; missing: string[] };

/**
 * Checks given `key=value` parameters against the checklist and fills in defaults.
 * `missing` names required parameters nobody gave, so a caller can ask for them (a modal).
 */
export function resolveParameters(
  checklist: Checklist,
  given: Readonly<Record<string, string>>,
  builtIns: Readonly<Record<string, string>> = {},
  /** A preview shows the plan: a ticket required to start is not asked for. */
  options: { preview?: boolean } = {},
): ParameterResult {
  const errors: ParameterError[] = [];
  const missing: string[] = [];
  const values: Record<string, string> = {};
  const accepted = Object.keys(checklist.parameters);

  for (const name of Object.keys(given)) {
    if (own(checklist.parameters, name) === undefined && name !== TICKET_PARAM) {
      const list = accepted.length > 0 ? accepted.join(", ") : "none";
      errors.push({ name, message: `unknown parameter "${name}": ${checklist.id} takes ${list}` });
    }
  }
  for (const [name, parameter] of Object.entries(checklist.parameters)) {
    const raw = own(given, name);
    if (raw === undefined) {
      if (parameter.default === undefined) missing.push(name);
      else values[name] = String(parameter.default);
      continue;
    }
    const problem = checkValue(name, parameter, raw);
    if (problem) errors.push({ name, message: problem });
    else values[name] = raw;
  }
  for (const name of missing) {
    errors.push({
      name,
      message: `missing parameter "${name}": ${describeParameter(own(checklist.parameters, name) as Parameter)}`,
    });
  }
  const envName = checklist.rules.environment;
  const environment = options.preview ? undefined : envName ? values[envName] : undefined;
  const ticket = checkTicket(checklist, given, environment);
  errors.push(...ticket.errors);
  missing.push(...ticket.missing);
  if (errors.length > 0) return { ok: false, errors, missing };

  const typed = new Set(Object.keys(checklist.parameters).filter((name) => own(given, name) !== undefined));
  const resolved = renderDefaults(values, typed, builtIns);
  // A checklist's own `ticket` parameter is the run's ticket too.
  const runTicket = ticket.ticket ?? resolved[TICKET_PARAM];
  return { ok: true, values: resolved, ...(runTicket !== undefined ? { ticket: runTicket } : {}) };
}

/**
 * Defaults may use built-ins and other parameters (`{{instance}}-pre-mysql8-upgrade-{{date}}`,
 * where instance defaults to `example-{{env}}`). A value a person typed is text: it is never
 * rendered, and what it brings into a default is not rendered again (`{{note}}` typed as a value
 * stays `{{note}}`). Each default is rendered once, its references first; a cycle stays as written.
 */
function renderDefaults(
  values: Record<string, string>,
  typed: ReadonlySet<string>,
  builtIns: Readonly<Record<string, string>>,
): Record<string, string> {
  const rendered = new Map<string, string>();
  const rendering = new Set<string>();
  const finalValue = (name: string): string | undefined => {
    const value = own(values, name);
    if (value === undefined) return own(builtIns, name);
    if (typed.has(name)) return value;
    const done = rendered.get(name);
    if (done !== undefined) return done;
    if (rendering.has(name)) return value;
    rendering.add(name);
    const result = renderTemplateBy(value, finalValue);
    rendering.delete(name);
    rendered.set(name, result);
    return result;
  };
  return Object.fromEntries(Object.keys(values).map((name) => [name, finalValue(name) as string]));
}

function checkValue(name: string, parameter: Parameter, raw: string): string | undefined {
  switch (parameter.type) {
    case "enum":
      return parameter.values.includes(raw)
        ? undefined
        : `${name}=${raw} is not allowed: use one of ${parameter.values.join(", ")}`;
    case "boolean":
      return raw === "true" || raw === "false"
        ? undefined
        : `${name}=${raw} is not allowed: use true or false`;
    case "number": {
      const value = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(value)) return `${name}=${raw} is not a number`;
      if (parameter.min !== undefined && value < parameter.min)
        return `${name}=${raw} is below the minimum ${parameter.min}`;
      if (parameter.max !== undefined && value > parameter.max)
        return `${name}=${raw} is above the maximum ${parameter.max}`;
      return undefined;
    }
    case "url":
      return isHttpUrl(raw)
        ? undefined
        : `${name}=${raw} is not a link: give an http(s) URL such as https://wiki.example.com/page`;
    case "string":
      if (raw.trim() === "") return `${name} is empty: give a value`;
      if (parameter.pattern === undefined) return undefined;
      switch (matchesWithin(new RegExp(parameter.pattern), raw)) {
        case true:
          return undefined;
        case false:
          return `${name}=${raw} does not match the pattern ${parameter.pattern}`;
        default:
          return tooSlowToCheck(`${name}=${raw}`, parameter.pattern);
      }
  }
}

export function describeParameter(parameter: Parameter): string {
  const what = parameter.description ? `${parameter.description}; ` : "";
  switch (parameter.type) {
    case "enum":
      return `${what}one of ${parameter.values.join(", ")}`;
    case "boolean":
      return `${what}true or false`;
    case "number":
      return `${what}a number`;
    case "url":
      return `${what}an http(s) URL`;
    case "string":
      return `${what}text${parameter.pattern ? ` matching ${parameter.pattern}` : ""}`;
  }
}

/** An absolute http or https URL without spaces or characters that would end a Slack link. */
export function isHttpUrl(raw: string): boolean {
  if (raw.length > 2_000 || !/^https?:\/\/[^\s<>|"`]+$/i.test(raw)) return false;
  return URL.canParse(raw);
}
