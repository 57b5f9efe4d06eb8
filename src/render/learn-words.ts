import type { Suggestion, Suggestions } from "../core/history/suggestions.js";
import { MIN_RUNS_FOR_SUGGESTIONS } from "../core/history/suggestions.js";

/** What a checklist could learn, in words (the post-mortem's last section, `preflight suggest` on stderr). */

/** `text` writes a person's words (a follow-up's): the post-mortem's Markdown escapes them. */
export function suggestionWords(suggestion: Suggestion, text: (words: string) => string = oneLine): string {
  switch (suggestion.kind) {
    case "range":
      return `"${text(suggestion.title)}" (\`${suggestion.stepId}\`) took longer or shorter than its \`duration: ${suggestion.current}\` in ${suggestion.outside} of ${suggestion.runs} runs: make it \`duration: ${suggestion.proposed}\` (what the runs show, p10–p90).`;
    case "skipped":
      return `"${text(suggestion.title)}" (\`${suggestion.stepId}\`) was skipped in each of the last ${suggestion.runs} runs: remove it, or make it conditional?`;
    case "follow_up": {
      const on = suggestion.stepId
        ? ` about "${text(suggestion.title ?? suggestion.stepId)}" (\`${suggestion.stepId}\`)`
        : "";
      return `A follow-up of run \`${suggestion.runId}\`${on} asked: ${text(suggestion.text)}`;
    }
  }
}

/** Why nothing is suggested, or undefined when something is. */
export function nothingToLearn(learn: Suggestions): string | undefined {
  if (!learn.enough)
    return `Not enough runs to learn from yet: ${learn.runs} of the ${MIN_RUNS_FOR_SUGGESTIONS} needed.`;
  if (learn.suggestions.length === 0)
    return `Nothing to change: in ${learn.runs} runs every step kept to its range, none was skipped run after run, and no follow-up asked to change the checklist.`;
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, " ").trim();
}
