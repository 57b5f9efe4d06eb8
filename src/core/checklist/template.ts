/**
 * `{{name}}` templates in checklist text. Names are parameters, built-ins (`date`, `run.owner`, …)
 * or results of automated steps (`steps.<step-id>.<key>`), which exist only once the step has run.
 */

export const BUILT_INS = [
  "date",
  "time",
  "run.id",
  "run.owner",
  "run.buddy",
  "run.channel",
  "checklist.id",
  "checklist.title",
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
  return text.replace(TEMPLATE, (whole, name: string) => values[name] ?? whole);
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
