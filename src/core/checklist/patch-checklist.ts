import { isMap, isScalar, isSeq, type Node, parseDocument, Scalar, type YAMLMap } from "yaml";
import type { Suggestion } from "../history/suggestions.js";

/**
 * Applies suggestions to a checklist file's text, changing nothing else: the `yaml` Document API
 * finds the nodes and their offsets in the source, and only those bytes are replaced (a step's
 * `duration:` value) or lines added (a comment above a step), so the file's comments, order,
 * quoting and alignment stay as the author wrote them.
 */

export interface PatchResult {
  text: string;
  applied: Suggestion[];
  /** Suggestions that could not be written into the file, and why. */
  skipped: { suggestion: Suggestion; why: string }[];
}

interface Edit {
  at: number;
  /** Bytes replaced from `at` (0: an insertion). */
  length: number;
  text: string;
  /** Insertions at the same place keep the order they were made in. */
  order: number;
}

export const COMMENT_MARK = "preflight:";

export function patchChecklist(source: string, suggestions: readonly Suggestion[]): PatchResult {
  const doc = parseDocument(source);
  const steps = stepNodes(doc.contents as Node | null);
  const edits: Edit[] = [];
  const applied: Suggestion[] = [];
  const skipped: PatchResult["skipped"] = [];
  for (const suggestion of suggestions) {
    const step = suggestion.stepId ? steps.get(suggestion.stepId) : undefined;
    if (!step) {
      skipped.push({
        suggestion,
        why: suggestion.stepId ? "the step is not in the file" : "it names no step",
      });
      continue;
    }
    const why =
      suggestion.kind === "range"
        ? rangeEdit(step, suggestion.proposed, edits)
        : commentEdit(source, step, commentFor(suggestion), edits);
    if (why) skipped.push({ suggestion, why });
    else applied.push(suggestion);
  }
  let text = source;
  const ordered = [...edits].sort((a, b) => b.at - a.at || b.order - a.order);
  for (const edit of ordered) text = text.slice(0, edit.at) + edit.text + text.slice(edit.at + edit.length);
  return { text, applied, skipped };
}

/** Steps by id: phases[].steps[] maps that have a scalar `id`. */
function stepNodes(root: Node | null): Map<string, YAMLMap> {
  const steps = new Map<string, YAMLMap>();
  if (!isMap(root)) return steps;
  const phases = root.get("phases", true);
  if (!isSeq(phases)) return steps;
  for (const phase of phases.items) {
    if (!isMap(phase)) continue;
    const list = phase.get("steps", true);
    if (!isSeq(list)) continue;
    for (const step of list.items) {
      if (!isMap(step)) continue;
      const id = step.get("id");
      if (typeof id === "string" && !steps.has(id)) steps.set(id, step);
    }
  }
  return steps;
}

function rangeEdit(step: YAMLMap, proposed: string, edits: Edit[]): string | undefined {
  const value = step.get("duration", true);
  if (!isScalar(value) || !value.range) return "its duration is not written on the step itself";
  const [start, end] = value.range;
  const quote =
    value.type === Scalar.QUOTE_DOUBLE
      ? '"'
      : value.type === Scalar.QUOTE_SINGLE
        ? "'"
        : value.type === Scalar.PLAIN
          ? ""
          : undefined;
  if (quote === undefined) return "its duration is not a one-line value";
  edits.push({ at: start, length: end - start, text: `${quote}${proposed}${quote}`, order: edits.length });
  return undefined;
}

/** A comment line above the step's `- id: …` line, indented like its dash. */
function commentEdit(source: string, step: YAMLMap, comment: string, edits: Edit[]): string | undefined {
  const start = step.range?.[0];
  if (start === undefined) return "the step has no place in the file";
  const lineStart = source.lastIndexOf("\n", start - 1) + 1;
  const prefix = source.slice(lineStart, start);
  const dash = /^(\s*)-\s+(\{\s*)?$/.exec(prefix);
  if (!dash) return "the step is not written as a list item of its own";
  edits.push({ at: lineStart, length: 0, text: `${dash[1]}# ${comment}\n`, order: edits.length });
  return undefined;
}

function commentFor(suggestion: Suggestion): string {
  switch (suggestion.kind) {
    case "skipped":
      return `${COMMENT_MARK} skipped in each of the last ${suggestion.runs} runs: remove this step, or make it conditional?`;
    case "follow_up":
      return `${COMMENT_MARK} a follow-up of run ${suggestion.runId} asked: ${oneLine(suggestion.text, 300)}`;
    case "range":
      return `${COMMENT_MARK} duration ${suggestion.proposed}`;
  }
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
