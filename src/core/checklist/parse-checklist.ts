import { type Document, isMap, isScalar, LineCounter, type Node, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { checkSizeOfRawDocument } from "./document-limits.js";
import { type Checklist, checklistSchema } from "./schema.js";
import { acceptedKeysAt, closestKey } from "./schema-keys.js";
import { type ChecklistIssue, checkTemplatesOfRawDocument, validateChecklist } from "./validate-checklist.js";

/** One problem in a checklist file, located for a person: `file:line:column  path  reason`. */
export interface ChecklistProblem {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export type ParseResult = { ok: true; checklist: Checklist } | { ok: false; problems: ChecklistProblem[] };

/** Line 0 means the problem is with the path as a whole (missing, too large, not text). */
export function formatProblem(problem: ChecklistProblem): string {
  if (problem.line === 0) return `${problem.file}  ${problem.message}`;
  const where = problem.path ? `  ${problem.path}` : "";
  return `${problem.file}:${problem.line}:${problem.column}${where}  ${problem.message}`;
}

/** Parses and validates one checklist file's text. Every problem is reported, not just the first. */
export function parseChecklist(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const { line, col } = at(error.pos[0]);
      return { file, line, column: col, path: "", message: `YAML syntax: ${firstLine(error.message)}` };
    });
    return { ok: false, problems };
  }

  const resolved = resolveAliases(doc);
  if (!resolved.ok) return { ok: false, problems: [problemAt(resolved.offset, resolved, file, at)] };
  const data = resolved.data;
  // A document too large is refused before its details are checked: checking it is the cost to avoid.
  const tooLarge = checkSizeOfRawDocument(data);
  if (tooLarge.length > 0)
    return { ok: false, problems: tooLarge.map((issue) => locate(issue, doc, file, at)) };

  const parsed = checklistSchema.safeParse(data);
  if (!parsed.success) {
    const problems = [
      ...parsed.error.issues.flatMap((issue) => schemaProblems(issue, data, doc, file, at)),
      ...checkTemplatesOfRawDocument(data).map((issue) => locate(issue, doc, file, at)),
    ];
    return { ok: false, problems: sortProblems(problems) };
  }

  const issues = validateChecklist(parsed.data);
  if (issues.length > 0) {
    return { ok: false, problems: sortProblems(issues.map((issue) => locate(issue, doc, file, at))) };
  }
  return { ok: true, checklist: parsed.data };
}

type LinePos = (offset: number) => { line: number; col: number };

/**
 * How often one anchor's content may be repeated through aliases, counted the way the `yaml`
 * package counts (uses × aliases nested inside): an anchor shared by every step of a 500-step
 * checklist is fine, a "billion laughs" document that multiplies aliases is refused early.
 */
export const MAX_ALIAS_EXPANSION = 5_000;

type Resolved = { ok: true; data: unknown } | ({ ok: false; offset: number } & ChecklistIssue);

function resolveAliases(doc: Document): Resolved {
  try {
    return { ok: true, data: doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION }) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const offset = firstAliasOffset(doc);
    if (/alias count/i.test(reason)) {
      return {
        ok: false,
        offset,
        path: [],
        message: `YAML aliases repeat content more than ${MAX_ALIAS_EXPANSION.toLocaleString("en-US")} times (aliases inside anchors multiply): write the repeated part out, or nest fewer aliases`,
      };
    }
    return { ok: false, offset, path: [], message: `YAML: ${firstLine(reason)}` };
  }
}

function firstAliasOffset(doc: Document): number {
  let offset = 0;
  visit(doc, {
    Alias: (_key, node) => {
      offset = node.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return offset;
}

function schemaProblems(
  issue: z.core.$ZodIssue,
  data: unknown,
  doc: Document,
  file: string,
  at: LinePos,
): ChecklistProblem[] {
  const path = issue.path.map((key) => (typeof key === "symbol" ? String(key) : key));
  if (issue.code === "unrecognized_keys") {
    const accepted = acceptedKeysAt(data, path);
    return issue.keys.map((key) => {
      const suggestion = closestKey(key, accepted);
      const hint = suggestion ? `did you mean "${suggestion}"? ` : "";
      const message = `unknown key "${key}": ${hint}accepted keys here: ${accepted.join(", ")}`;
      return locateKey({ path: [...path, key], message }, doc, file, at);
    });
  }
  return [locate({ path, message: describeIssue(issue, data, path) }, doc, file, at)];
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown, path: (string | number)[]): string {
  if (issue.code === "invalid_type" && valueAt(data, path) === undefined) {
    return `missing "${String(path.at(-1))}": this key is required (${issue.expected})`;
  }
  if (issue.code === "too_big" && (issue.origin === "string" || issue.origin === "array")) {
    const value = valueAt(data, path);
    const length = typeof value === "string" || Array.isArray(value) ? value.length : undefined;
    const unit = issue.origin === "string" ? "characters" : "items";
    const actual = length === undefined ? "" : `${length.toLocaleString("en-US")} ${unit}: `;
    return `${actual}at most ${Number(issue.maximum).toLocaleString("en-US")} ${unit} are allowed here`;
  }
  return issue.message;
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** Locates a path at the nearest node that exists (a missing key points at its parent). */
function locate(issue: ChecklistIssue, doc: Document, file: string, at: LinePos): ChecklistProblem {
  for (let depth = issue.path.length; depth >= 0; depth--) {
    const node =
      depth === 0 ? doc.contents : (doc.getIn(issue.path.slice(0, depth), true) as Node | undefined);
    if (node?.range) return problemAt(node.range[0], issue, file, at);
  }
  return problemAt(0, issue, file, at);
}

/** Locates the key itself (for unknown keys the value is irrelevant). */
function locateKey(issue: ChecklistIssue, doc: Document, file: string, at: LinePos): ChecklistProblem {
  const parentPath = issue.path.slice(0, -1);
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (isMap(parent)) {
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === issue.path.at(-1));
    if (pair && isScalar(pair.key) && pair.key.range) return problemAt(pair.key.range[0], issue, file, at);
  }
  return locate(issue, doc, file, at);
}

function problemAt(offset: number, issue: ChecklistIssue, file: string, at: LinePos): ChecklistProblem {
  const { line, col } = at(offset);
  return { file, line, column: col, path: formatPath(issue.path), message: issue.message };
}

/** `phases[1].steps[3].verify` */
export function formatPath(path: (string | number)[]): string {
  return path.map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? key : `.${key}`)).join("");
}

function sortProblems(problems: ChecklistProblem[]): ChecklistProblem[] {
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
