import { formatDuration } from "../core/duration.js";
import { PREFLIGHT_USER } from "../core/run/run-schema.js";
import type { StepSummary, Summary } from "../core/summary.js";
import { said } from "./people-text.js";

/**
 * The post-mortem's sections for a run that went wrong or ran long: the roll back (both paths are
 * in the timeline, the rollback steps under their own phase), decisions, pauses, manual steps.
 * Only present when something happened, so other post-mortems read as before.
 */
export function recoverySections(summary: Summary): string[][] {
  const sections: string[][] = [];
  const { rollback } = summary;
  if (rollback) {
    const undo = summary.steps.filter((step) => step.rollback);
    const forward = summary.steps.filter((step) => !step.rollback);
    const lastForward = forward
      .map((step) => step.completedAt ?? step.startedAt)
      .filter((at): at is string => at !== undefined)
      .sort()
      .at(-1);
    const undone = undo.filter((step) => step.status === "done").length;
    sections.push([
      "## ↩️ Roll back",
      "",
      `- **Asked for by:** ${who(rollback.by)} at ${utc(rollback.at)}`,
      `- **Reason:** ${said(rollback.reason)}`,
      `- **Way forward:** ${forward.filter((s) => s.status === "done").length} of ${forward.length} steps done${lastForward ? `, the last at ${utc(lastForward)}` : ""}`,
      `- **Way back:** ${undone} of ${undo.length} rollback steps done${summary.endedAt ? `, rolled back at ${utc(summary.endedAt)}` : ""} (the "Roll back" phase of the timeline)`,
    ]);
  }
  if (summary.decisions && summary.decisions.length > 0)
    sections.push([
      "## Decisions",
      "",
      ...summary.decisions.map(
        (d) =>
          `- ${utc(d.at)} step ${d.step.number} "${said(d.step.title)}": ${said(d.question)} → **${d.option.replace("_", " ")}** by ${who(d.by)}: ${said(d.reason)}`,
      ),
    ]);
  if (summary.pauses && summary.pauses.length > 0)
    sections.push([
      "## Pauses",
      "",
      ...summary.pauses.map((p) => {
        const resumed = p.resumedAt
          ? `resumed by ${who(p.resumedBy ?? "")} at ${utc(p.resumedAt)}${p.resumeReason ? ` (${said(p.resumeReason)})` : ""}`
          : "not resumed";
        return `- ${utc(p.at)} paused by ${who(p.by)} for ${formatDuration(p.durationMs)}: ${said(p.reason)}; ${resumed}`;
      }),
      "",
      "Paused time is not counted in any step's time or overrun.",
    ]);
  const manual = summary.steps.filter((step) => step.manual);
  if (manual.length > 0)
    sections.push([
      "## Done by hand",
      "",
      ...manual.map(
        (step) =>
          `- step ${step.number} "${said(step.title)}" failed${step.failure ? ` (${said(step.failure)})` : ""} and was done by hand by ${who(step.manual?.by ?? "")} at ${utc(step.manual?.at ?? "")}: ${said(step.manual?.text ?? "")}${step.verifiedBy ? `; verified by ${who(step.verifiedBy)}` : ""}`,
      ),
    ]);
  return sections;
}

/** The timeline's status of a step done by hand: it says so, not just "failed". */
export function manualStatus(step: StepSummary, label: string): string | undefined {
  return step.manual ? `${label}, by hand after the automated call failed` : undefined;
}

function who(user: string): string {
  return user === PREFLIGHT_USER ? "Preflight" : `<@${user}>`;
}

function utc(iso: string): string {
  const text = new Date(iso).toISOString();
  return `${text.slice(0, 10)} ${text.slice(11, 16)} UTC`;
}
