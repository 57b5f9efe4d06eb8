import { formatDuration, formatDurationRange, parseDurationRange } from "../../core/duration.js";
import type { Activity, Run } from "../../core/run/run-schema.js";
import { reminderOf } from "../../core/run/run-schema.js";
import { findStep, type LocatedStep } from "../../core/run/step-rules.js";
import { escapeMrkdwn, mention, slackDate, slackLink, truncate } from "./mrkdwn.js";
import { nextUpText } from "./next-up.js";

/** One mrkdwn line for the run's thread per accepted event: who did what to which step. */

const DETAIL_CHARS = 1_000;
const LINE_CHARS = 3_000;

export function renderActivity(activity: Activity, run: Run): string {
  const who = mention(activity.by);
  const located = activity.stepId ? findStep(run, activity.stepId) : undefined;
  const step = located
    ? `*${escapeMrkdwn(located.plan.title.trim())}*`
    : activity.stepId
      ? `*${escapeMrkdwn(activity.stepId)}*`
      : undefined;
  const detail = activity.detail ? truncate(escapeMrkdwn(activity.detail.trim()), DETAIL_CHARS) : "";
  const onStep = step ? ` on ${step}` : "";
  return truncate(`${line()}${nextUpText(activity, run)}`, LINE_CHARS);

  function line(): string {
    switch (activity.type) {
      case "run_started": {
        const where = run.environment ? ` in ${escapeMrkdwn(run.environment)}` : "";
        const dry = run.dryRun ? " (dry run: automated actions are not executed)" : "";
        return `🚀 ${who} started *${escapeMrkdwn(run.plan.title.trim())}*${where}${dry}`;
      }
      case "start_step":
        return `▶️ ${who} started ${step ?? "a step"}`;
      case "complete_step": {
        const took = located ? tookText(located, activity.at) : "";
        if (located?.plan.verify)
          return `🟡 ${who} completed ${step}${took} — waiting for a teammate to verify`;
        return `✅ ${who} completed ${step ?? "a step"}${took}`;
      }
      case "verify_step":
        return `👥 ${who} verified ${step ?? "a step"}`;
      case "approve_override": {
        const override = run.override;
        const gate = `the ${escapeMrkdwn(run.environment ?? "environment")} gate`;
        const starter = override ? mention(override.requestedBy) : "the owner";
        return `⚠️ Started past ${gate} by ${starter}: ${detail} — approved by ${who}`;
      }
      case "approve_step":
        return `🟠 ${who} approved the change ${step ?? ""}: it runs now`;
      case "action_succeeded":
        return `🤖 ${step ?? "An automated step"} succeeded${detail ? `: ${detail}` : ""}${located?.plan.verify ? " — waiting for a teammate to verify" : ""}`;
      case "action_failed":
        return `❌ ${step ?? "An automated step"} failed: ${detail}. Retry it, or skip it with a reason${located?.plan.commands ? ", or do it by hand with its commands and say what you did (Done by hand…)" : ""}.`;
      case "skip_step":
        return `⏭️ ${who} skipped ${step ?? "a step"}${detail ? `: ${detail}` : ""}`;
      case "report_problem":
        return `🚩 ${who} reported a problem${onStep}${detail ? `: ${detail}` : ""}`;
      case "resolve_problem":
        return `☑️ ${who} resolved a problem${onStep}${detail ? `: ${detail}` : ""}`;
      case "add_note":
        return `📝 ${who}${onStep}${detail ? `: ${detail}` : " added a note"}`;
      case "hand_over":
        return `🔁 ${who} handed the run to ${activity.detail ? mention(activity.detail) : "a teammate"}`;
      case "set_buddy":
        return `🤝 ${who} named ${activity.detail ? mention(activity.detail.split(" ")[0] ?? "") : "a teammate"} the run's buddy`;
      case "reassign_step":
        return `👤 ${who} assigned ${step ?? "a step"} to ${activity.detail ? mention(activity.detail) : "a teammate"}`;
      case "abort":
        return `🛑 ${who} aborted the run${detail ? `: ${detail}` : ""}`;
      case "decide":
        return `🧭 ${who} decided${onStep}: ${detail}`;
      case "pause_run":
        return `⏸️ ${who} paused the run: ${detail}. Paused time does not count as overrun.`;
      case "resume_run":
        return `▶️ ${who} resumed the run: ${detail}`;
      case "roll_back":
        return `↩️ ${who} is rolling the run back: ${detail}. The rollback steps are in the run message, newest first.`;
      case "done_by_hand":
        return `🖐️ ${who} did ${step ?? "a step"} by hand: ${detail} — waiting for a teammate to verify`;
      case "finish": {
        const ms = Date.parse(activity.at) - Date.parse(run.createdAt);
        if (run.rollback)
          return `↩️ ${who} finished the roll back after ${formatDuration(ms)}: the run is rolled back`;
        return `🏁 ${who} finished the run after ${formatDuration(ms)}`;
      }
      case "reminder_handled": {
        const handled = activity.key ? reminderOf(run, activity.key)?.handled : undefined;
        const text = detail ? `: ${detail}` : "";
        if (handled?.outcome === "snoozed" && handled.until)
          return `😴 Reminder snoozed by ${who} until ${slackDate(handled.until)}${text}`;
        return `⏰ Reminder done by ${who}${text}`;
      }
      case "snapshot_deleted":
        return `🗑️ ${who} deleted snapshot \`${detail}\` from the reminder`;
      case "deletion_requested":
        return `🗑️ ${who} asked to delete snapshot \`${detail}\`; a second person must confirm it on the reminder`;
      case "follow_up_added":
        return `📌 ${who} added a follow-up: ${detail}`;
      case "post_failed": {
        const failure = run.postFailures.findLast((f) => f.at === activity.at);
        if (!failure) return `⚠️ ${detail}. Please do it by hand.`;
        return `⚠️ Preflight could not post ${escapeMrkdwn(failure.what)} (${escapeMrkdwn(failure.error)}). Please do it by hand.`;
      }
      case "tracker_linked": {
        // `<role> <ref> <url>`: written by Preflight from the tracker's answer.
        const [role, ref = "", url = ""] = (activity.detail ?? "").split(" ");
        const label = escapeMrkdwn(ref);
        const linked = slackLink(escapeMrkdwn(url), label) ?? label;
        return role === "post_mortem"
          ? `📋 The post-mortem is an issue now: ${linked}`
          : `📌 Follow-up issue: ${linked}`;
      }
      case "tracker_refused":
        return `⚠️ ${detail}`;
      case "tracker_rehearsal":
        return `🧪 ${detail}`;
      default:
        return `• ${who} ${escapeMrkdwn(activity.type.replace(/_/g, " "))}${onStep}${detail ? `: ${detail}` : ""}`;
    }
  }
}

/** ` (7m)`, or ` (⚠️ 31m, expected 10m–20m)` when over; only if the state is still that completion. */
function tookText(located: LocatedStep, at: string): string {
  const { state, plan } = located;
  if (state.completedAt !== at || state.startedAt === undefined) return "";
  const ms = Date.parse(at) - Date.parse(state.startedAt);
  if (ms <= 0) return "";
  const range = plan.duration ? parseDurationRange(plan.duration) : undefined;
  if (range && ms > range.maxMs) return ` (⚠️ ${formatDuration(ms)}, expected ${formatDurationRange(range)})`;
  return ` (${formatDuration(ms)})`;
}
