import { isCheck } from "../core/checklist/check-schema.js";
import type { Action, Step } from "../core/checklist/schema.js";
import { describeCheck } from "../core/checks/check-text.js";
import { formatDurationRange, parseDurationRange } from "../core/duration.js";
import { plannedCalls } from "../core/rds-calls.js";
import type { Run } from "../core/run/run-schema.js";

/** A run's plan as readable Markdown: what `preflight preview` prints. Pure. */
export function planMarkdown(run: Run): string {
  const { plan } = run;
  const lines = [`# ${plan.title} (${plan.id})`, "", `> ${plan.summary}`, ""];
  const params = Object.entries(run.params).map(([name, value]) => `\`${name}=${value}\``);
  if (params.length > 0) lines.push(`**Parameters:** ${params.join(", ")}`, "");
  if (plan.channel) lines.push(`**Channel:** ${plan.channel}`, "");
  let number = 0;
  for (const phase of plan.phases) {
    lines.push(`## ${phase.title}`, "");
    for (const step of phase.steps) {
      number += 1;
      // A step this run's parameters rule out (`when:`): named, without its details.
      const state = run.steps[number - 1];
      if (state?.status === "not_applicable")
        lines.push(`${number}. ~~${step.title}~~ (not applicable to this run)`, "");
      else lines.push(...stepMarkdown(number, step), "");
    }
  }
  if (plan.rollback) {
    lines.push(`## If the run rolls back: ${plan.rollback.title ?? "Roll back"}`, "");
    for (const [i, step] of plan.rollback.steps.entries()) lines.push(...stepMarkdown(i + 1, step), "");
  }
  if (plan.reminders.length > 0) {
    lines.push("## Reminders", "");
    for (const reminder of plan.reminders) {
      const trigger =
        reminder.on === "step.done"
          ? `step ${reminder.step} is done`
          : reminder.on.replace("run.", "the run is ");
      const channel = reminder.channel ?? "the run's channel";
      const keep = reminder.keep_on_abort ? " (kept if the run is aborted)" : "";
      lines.push(`- ${reminder.after} after ${trigger}, in ${channel}: ${reminder.text}${keep}`);
    }
    lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

function stepMarkdown(number: number, step: Step): string[] {
  const marks = [
    step.duration ? `expected ${formatRange(step.duration)}` : undefined,
    step.verify ? "a teammate verifies" : undefined,
    step.skippable ? undefined : "may not be skipped",
    step.downtime === "start" ? "downtime starts" : step.downtime === "end" ? "downtime ends" : undefined,
    step.parallel_with_next ? "the next step may run alongside" : undefined,
    step.not_before ? `not before ${step.not_before}` : undefined,
    step.irreversible ? "point of no return: a teammate approves the start" : undefined,
  ].filter(Boolean);
  const lines = [`${number}. **${step.title}**${marks.length > 0 ? ` (${marks.join(" · ")})` : ""}`];
  const indent = (text: string) => text.split("\n").map((line) => (line ? `   ${line}` : ""));
  if (step.details) lines.push(...indent(step.details.trimEnd()));
  for (const link of step.links ?? []) lines.push(`   - [${link.label}](${link.url})`);
  for (const command of step.commands ?? []) lines.push("   ```", ...indent(command.trimEnd()), "   ```");
  if (step.expect) lines.push(`   *Expect:* ${step.expect.trim()}`);
  if (step.decision)
    lines.push(
      `   *Decision* (${step.decision.decider} picks ${step.decision.options.join(", ")}): ${step.decision.question.trim()}`,
    );
  if (step.rollback) lines.push(`   *Rollback:* ${step.rollback.trim()}`);
  if (step.rollback_action) lines.push(`   *Rollback, automated:* ${describeAction(step.rollback_action)}`);
  if (step.action) {
    lines.push(`   *Automated:* ${describeAction(step.action)}`);
    for (const call of plannedCalls(step.action)) lines.push(`   - calls \`${call}\``);
  }
  return lines;
}

function formatRange(text: string): string {
  const range = parseDurationRange(text);
  return range ? formatDurationRange(range) : text;
}

/** One line naming the call an automated step makes, with its resolved parameters. */
export function describeAction(action: Action): string {
  if (isCheck(action)) return describeCheck(action);
  switch (action.type) {
    case "rds.snapshot":
      return `create a DB ${action.target} snapshot \`${action.snapshot}\` of \`${action.identifier}\` and wait until it is available`;
    case "rds.wait_for_status":
      return `wait until DB ${action.target} \`${action.identifier}\` is \`${action.status}\` (at most ${action.timeout})`;
    case "rds.check": {
      const expected = Object.entries(action.expect).map(([key, value]) => `${key} = \`${value}\``);
      return `check DB ${action.target} \`${action.identifier}\`: ${expected.join(", ")}`;
    }
    case "rds.modify": {
      const changes = [
        action.engine_version ? `engine version \`${action.engine_version}\`` : undefined,
        action.parameter_group ? `parameter group \`${action.parameter_group}\`` : undefined,
      ].filter(Boolean);
      return `modify DB ${action.target} \`${action.identifier}\`: ${changes.join(", ")}${action.apply_immediately ? ", applied immediately" : ""}`;
    }
    case "rds.delete_snapshot":
      return `delete DB ${action.target} snapshot \`${action.snapshot}\``;
    case "rds.restore_snapshot":
      return `restore DB snapshot \`${action.snapshot}\` to a new instance \`${action.identifier}\` and wait until it is available (at most ${action.timeout})`;
  }
}
