import type { Summary } from "../core/summary-types.js";
import { said } from "./people-text.js";

/**
 * The post-mortem's people and evidence sections: who handed the run to whom, and the files and
 * messages shared in the thread, listed under the step that was running. People are written as
 * `<@U…>`; display-names.ts turns them into names for readers outside Slack.
 */

export function peopleLines(summary: Summary): string[] {
  return (summary.people ?? []).map((change) => {
    const at = `${change.at.slice(11, 16)} UTC`;
    if (change.kind === "hand_over")
      return `- ${who(change.by)} handed the run to ${who(change.to)} at ${at}`;
    if (change.kind === "set_buddy") return `- ${who(change.by)} named ${who(change.to)} the buddy at ${at}`;
    const step = change.step ? `step ${change.step.number} "${said(change.step.title)}"` : "a step";
    return `- ${who(change.by)} assigned ${step} to ${who(change.to)} at ${at}`;
  });
}

/** Notes with files or a permalink, grouped under the step they belong to (in step order). */
export function evidenceLines(summary: Summary): string[] {
  const evidence = summary.notes.filter((note) => (note.files?.length ?? 0) > 0 || note.permalink);
  const groups = new Map<string, typeof evidence>();
  for (const note of evidence) {
    const key = note.step ? `### ${note.step.number}. ${said(note.step.title)}` : "### The run as a whole";
    groups.set(key, [...(groups.get(key) ?? []), note]);
  }
  const order = (key: string) => Number(/^### (\d+)\./.exec(key)?.[1] ?? Number.MAX_SAFE_INTEGER);
  return [...groups.keys()]
    .sort((a, b) => order(a) - order(b))
    .flatMap((key) => [
      key,
      "",
      ...(groups.get(key) ?? []).map((note) => {
        const files = (note.files ?? []).map((file) => link(said(file.name), file.permalink)).join(", ");
        const message = note.permalink ? link("message", note.permalink) : "";
        const what = [files, message].filter(Boolean).join(", ");
        return `- ${note.at.slice(11, 16)} UTC, ${who(note.by)}: ${said(note.text)}${what ? ` (${what})` : ""}`;
      }),
      "",
    ])
    .slice(0, -1);
}

function link(label: string, url: string | undefined): string {
  const text = label.replace(/[[\]\\]/g, "\\$&");
  return url && /^https?:\/\/\S+$/.test(url)
    ? `[${text}](${url.replace(/[()]/g, encodeURIComponent)})`
    : text;
}

function who(user: string): string {
  return `<@${user}>`;
}
