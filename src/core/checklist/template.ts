/**
 * `{{name}}` templates in checklist text. Names are parameters, built-ins (`date`, `run.owner`, …)
 * or results of automated steps (`steps.<step-id>.<key>`), which exist only once the step has run.
 */
import { own } from "../own.js";

export const BUILT_INS = [
  "date",
  "time",
  "run.id",
  "run.owner",
  "run.buddy",
  "run.channel",
  "run.ticket",
  "checklist.id",
  "checklist.title",
  // Live figures of the run, filled in when a text is posted (run/eta.ts): never at the start.
  "run.eta",
  "run.planned_end",
  "run.downtime",
  "run.planned_downtime",
  "run.update",
] as const;

const TEMPLATE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;
const STEP_RESULT = /^steps\.([a-z][a-z0-9-]*)\.([a-z_][a-z0-9_]*)$/;

export function templateNames(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((m) => m[1] as string);
}

export function stepResultReference(name: string): { stepId: string; key: string } | undefined {
  const match = STEP_RESULT.exec(name);
  return match ? { stepId: match[1] as string, key: match[2] as string } : undefined;
}

/**
 * Replaces every name found in `values`; unknown names stay as written, so a step result that
 * does not exist yet reads `{{steps.snapshot.id}}` rather than an empty string.
 */
export function renderTemplate(text: string, values: Readonly<Record<string, string>>): string {
  return renderTemplateBy(text, (name) => own(values, name));
}

/** Fills in each `{{name}}` with what `lookup` gives (left as written when it gives nothing), once. */
export function renderTemplateBy(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(TEMPLATE, (whole, name: string) => lookup(name) ?? whole);
}

/**
 * A value placed into Markdown (a step's `details`) is text, never markup: in prose, every character
 * the Markdown subset gives a meaning is backslash-escaped (CommonMark's own escape, which the
 * Slack and Markdown renderers honour); inside a code span or fence, where backslashes are
 * literal, a backtick that would end the code is replaced by a look-alike.
 */
export function renderMarkdownTemplate(text: string, values: Readonly<Record<string, string>>): string {
  let inFence = false;
  return text
    .split("\n")
    .map((line) => {
      const fence = line.trimStart().startsWith("```");
      if (fence) inFence = !inFence;
      if (fence || inFence) return renderTemplateWith(line, values, codeLiteral);
      return line
        .split(/((?<!\\)`[^`]+`)/)
        .map((part, i) => renderTemplateWith(part, values, i % 2 === 1 ? codeLiteral : markdownLiteral))
        .join("");
    })
    .join("\n");
}

/**
 * `value` as Markdown text: formatting, code and link characters escaped with a backslash, and a
 * leading heading or bullet character.
 */
export function markdownLiteral(value: string): string {
  return oneLine(value)
    .replace(/[\\`*_~[\]()<>]/g, "\\$&")
    .replace(/^(\s*)([#+-])/, "$1\\$2");
}

function codeLiteral(value: string): string {
  return oneLine(value).replace(/`/g, "\u02CB");
}

function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, " ");
}

function renderTemplateWith(
  text: string,
  values: Readonly<Record<string, string>>,
  literal: (value: string) => string,
): string {
  return text.replace(TEMPLATE, (whole, name: string) => {
    const value = own(values, name);
    return value === undefined ? whole : literal(value);
  });
}

/**
 * A link's target: a value that starts it is a `type: url` parameter (checked when the checklist is
 * loaded and when the run starts) and goes in as it is; a value inside the author's URL is encoded,
 * so it can only ever be a path segment or a query value of the author's site.
 */
export function renderUrlTemplate(url: string, values: Readonly<Record<string, string>>): string {
  return url.replace(TEMPLATE, (whole, name: string, offset: number) => {
    const value = own(values, name);
    if (value === undefined) return whole;
    return offset === 0 ? value : encodeURIComponent(value);
  });
}

/** Fields of a checklist whose text is Markdown; every other text is shown as plain text. */
const MARKDOWN_FIELDS = new Set(["details"]);

/**
 * Fills in the templates of a part of a checklist (its phases, its reminders), keeping its shape:
 * Markdown fields get their values as Markdown text (`renderMarkdownTemplate`), the others as they are.
 */
export function renderChecklistText<T>(value: T, values: Readonly<Record<string, string>>, key?: string): T {
  if (typeof value === "string")
    return (
      key === "url"
        ? renderUrlTemplate(value, values)
        : key !== undefined && MARKDOWN_FIELDS.has(key)
          ? renderMarkdownTemplate(value, values)
          : renderTemplate(value, values)
    ) as T;
  if (Array.isArray(value)) return value.map((item) => renderChecklistText(item, values)) as T;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, item]) => [k, renderChecklistText(item, values, k)]);
    return Object.fromEntries(entries) as T;
  }
  return value;
}

/** The fields of a step a person reads; the others (its action, its conditions) are left alone. */
const STEP_TEXT_FIELDS = ["title", "details", "expect", "rollback", "commands", "links"] as const;

/**
 * A step's text with `values` filled in (`renderChecklistText`: details as Markdown text, link
 * targets encoded, the rest as they are); the same step when its text names no template at all,
 * in which case `values` is not asked for.
 */
export function renderStepText<T extends Partial<Record<(typeof STEP_TEXT_FIELDS)[number], unknown>>>(
  step: T,
  values: () => Readonly<Record<string, string>>,
): T {
  // A plan's steps never change: whether one names a template is worked out once per step.
  let templated = namesTemplate.get(step);
  if (templated === undefined) {
    templated = JSON.stringify(textOf(step)).includes("{{");
    namesTemplate.set(step, templated);
  }
  if (!templated) return step;
  return { ...step, ...renderChecklistText(textOf(step), values()) };
}

const namesTemplate = new WeakMap<object, boolean>();

function textOf<T extends Partial<Record<(typeof STEP_TEXT_FIELDS)[number], unknown>>>(step: T) {
  return Object.fromEntries(
    STEP_TEXT_FIELDS.filter((field) => step[field] !== undefined).map((field) => [field, step[field]]),
  );
}

/** Applies `render` to every string inside a JSON-like value, keeping its shape. */
export function mapStrings<T>(value: T, render: (text: string) => string): T {
  if (typeof value === "string") return render(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, render)) as T;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([key, item]) => [key, mapStrings(item, render)]);
    return Object.fromEntries(entries) as T;
  }
  return value;
}
