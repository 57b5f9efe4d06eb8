import { upNext } from "../../core/run/people.js";
import type { Activity, Run } from "../../core/run/run-schema.js";
import { escapeMrkdwn, mention } from "./mrkdwn.js";

/** Events after which a step may have become someone's turn. */
const MOVES_ON = new Set([
  "run_started",
  "complete_step",
  "verify_step",
  "skip_step",
  "action_succeeded",
  "approve_override",
]);

/**
 * ` — next: *Check the backup* for @dba-team`: the thread line of the event that made an assigned
 * step's turn come mentions its assignee, so the person (or group) is told in Slack.
 */
export function nextUpText(activity: Activity, run: Run): string {
  if (!MOVES_ON.has(activity.type)) return "";
  const next = upNext(run).filter(({ located }) => located.plan.id !== activity.stepId);
  if (next.length === 0) return "";
  const named = next
    .slice(0, 3)
    .map(({ located, assignee }) => `*${escapeMrkdwn(located.plan.title.trim())}* for ${mention(assignee)}`);
  return ` — next: ${named.join(", ")}`;
}
