import { formatDuration, parseDurationRange } from "../duration.js";
import type { Effect } from "../run/effects.js";
import { pausedMsBetween } from "../run/paused-time.js";
import { type Activity, PREFLIGHT_USER, type Run } from "../run/run-schema.js";
import { planSteps } from "../run/step-rules.js";
import { parseTicket, trackerTitle } from "./ticket.js";

/**
 * What a run asks of GitHub or Jira, decided in the core: a comment on its ticket when it starts
 * and ends, the post-mortem as an issue, each follow-up as its own issue. A dry run asks for
 * none of it: its thread says what would have been posted where.
 */

/** Why a run counts as "with problems" (post_mortem `when: problems`). Empty: a clean run. */
export function runProblems(run: Run): string[] {
  const reasons: string[] = [];
  if (run.problems.length > 0)
    reasons.push(`${run.problems.length} problem${run.problems.length === 1 ? "" : "s"} reported`);
  for (const { plan } of planSteps(run)) {
    const state = run.steps.find((s) => s.id === plan.id);
    const range = plan.duration ? parseDurationRange(plan.duration) : undefined;
    if (range && state?.startedAt && state.completedAt) {
      const from = Date.parse(state.startedAt);
      const to = Date.parse(state.completedAt);
      const took = to - from - pausedMsBetween(run, from, to);
      if (took > range.maxMs) reasons.push(`"${plan.title}" overran (${formatDuration(took)})`);
    }
  }
  if (run.status === "aborted") reasons.push("the run was aborted");
  if (run.status === "rolled_back" || run.rollback) reasons.push("the run was rolled back");
  for (const state of run.steps)
    if (state.manual) reasons.push(`step ${state.id} was done by hand after its automated action failed`);
  const byHand = run.history.filter(
    (a) =>
      a.type === "complete_step" &&
      a.stepId &&
      planSteps(run).some((s) => s.plan.id === a.stepId && s.plan.action),
  );
  for (const activity of byHand) reasons.push(`step ${activity.stepId} was done by hand`);
  if (run.override?.approvedBy) reasons.push(`the ${run.environment ?? "environment"} gate was overridden`);
  return reasons;
}

export function postMortemDue(run: Run): boolean {
  const when = run.plan.post_mortem?.when ?? "never";
  if (when === "never") return false;
  return when === "always" || runProblems(run).length > 0;
}

/** When a run starts: a comment on its ticket (or, rehearsing, a line saying so). */
export function trackerStartEffects(run: Run): Effect[] {
  if (!run.ticket || !parseTicket(run.ticket)) return [];
  if (run.dryRun)
    return [rehearsal(run, run.createdAt, `comment on ${where(run.ticket)} that the run started`)];
  return [{ type: "tracker_comment", ticket: run.ticket, phase: "start" }];
}

/** When a run closes (`closed` is the run after): the end comment, the post-mortem and its follow-ups. */
export function trackerCloseEffects(closed: Run): { run: Run; effects: Effect[] } {
  const at = closed.closedAt ?? closed.createdAt;
  const effects: Effect[] = [];
  const ticket = closed.ticket && parseTicket(closed.ticket) ? closed.ticket : undefined;
  const rule = closed.plan.post_mortem;
  const due = postMortemDue(closed);
  if (closed.dryRun) {
    if (ticket) effects.push(rehearsal(closed, at, `comment on ${where(ticket)} that the run ended`));
    if (rule && due)
      effects.push(
        rehearsal(
          closed,
          at,
          `open the post-mortem as an issue in ${postMortemPlace(closed)}${followUpCount(closed)}`,
        ),
      );
    return { run: closed, effects };
  }
  if (ticket) effects.push({ type: "tracker_comment", ticket, phase: "end" });
  if (!rule || !due) return { run: closed, effects };
  effects.push({ type: "tracker_post_mortem" });
  closed.followUps.forEach((_, index) => {
    effects.push({ type: "tracker_follow_up", index });
  });
  const tracker = { followUps: {}, refused: [], ...closed.tracker, postMortemDue: true };
  return { run: { ...closed, tracker }, effects };
}

/** A follow-up written down: its own issue once the post-mortem issue is due (the run closed). */
export function trackerFollowUpEffects(run: Run, index: number): Effect[] {
  if (!run.tracker?.postMortemDue || run.dryRun) return [];
  return [{ type: "tracker_follow_up", index }];
}

/** Where the post-mortem issue goes, in words: `GitHub acme/ops`, `Jira project OPS`. */
export function postMortemPlace(run: Run): string {
  const rule = run.plan.post_mortem;
  if (!rule) return "no tracker";
  return rule.tracker === "github" ? `GitHub ${rule.repo}` : `Jira project ${rule.project}`;
}

function followUpCount(run: Run): string {
  const n = run.followUps.length;
  return n > 0 ? `, with ${n} follow-up issue${n === 1 ? "" : "s"}` : "";
}

function where(ticket: string): string {
  const ref = parseTicket(ticket);
  return ref ? `${ticket} (${trackerTitle(ref.tracker)})` : ticket;
}

/** A line in a dry run's thread: what a real run would have posted, and where. */
function rehearsal(run: Run, at: string, what: string): Effect {
  const activity: Activity = {
    at,
    by: PREFLIGHT_USER,
    type: "tracker_rehearsal",
    detail: `Dry run: a real run would ${what}. Nothing was sent.`,
  };
  void run;
  return { type: "post_activity", activity };
}
