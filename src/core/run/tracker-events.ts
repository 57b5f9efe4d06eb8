import { trackerFollowUpEffects } from "../tracker/tracker-effects.js";
import { acceptRecord, type Decision, type EventOf, refuse, refused } from "./decision.js";
import { actionOf, can } from "./permissions.js";
import type { Run, RunEvent, RunTracker } from "./run-schema.js";

/**
 * Records of what the tracker adapter did for a run (src/tracker): an issue made or commented
 * on, a tracker that refused Preflight's token (said once in the thread until a call succeeds
 * again). Closed runs take them, like every record.
 */

function asked(run: Run, event: RunEvent): Decision | undefined {
  const permission = can(run, actionOf(event), event.by);
  return permission.allowed ? undefined : refused(permission.refusal);
}

function trackerOf(run: Run): RunTracker {
  return { followUps: {}, refused: [], ...run.tracker };
}

export function trackerLinked(run: Run, event: EventOf<"tracker_linked">, at: string): Decision {
  const refusal = asked(run, event);
  if (refusal) return refusal;
  const tracker = trackerOf(run);
  const issue = { ref: event.ref, url: event.url };
  if (event.role === "ticket") {
    if (run.ticketUrl === event.url) return refuse("already_handled", "The ticket's link is known already.");
    return acceptRecord(run, { ...run, ticketUrl: event.url }, event, at, [{ type: "refresh_run_message" }], {
      line: false,
    });
  }
  if (event.role === "post_mortem") {
    if (tracker.postMortem) return refuse("already_handled", "The post-mortem issue is recorded already.");
    return acceptRecord(run, { ...run, tracker: { ...tracker, postMortem: issue } }, event, at, [], {
      detail: `${event.role} ${event.ref} ${event.url}`,
      line: true,
    });
  }
  const index = event.index ?? 0;
  if (tracker.followUps[String(index)])
    return refuse("already_handled", `Follow-up ${index + 1} has its issue already.`);
  const followUps = { ...tracker.followUps, [String(index)]: issue };
  return acceptRecord(run, { ...run, tracker: { ...tracker, followUps } }, event, at, [], {
    detail: `${event.role} ${event.ref} ${event.url}`,
    line: true,
  });
}

/** Said once per run and tracker: another refusal before a success is not said again. */
export function trackerRefused(run: Run, event: EventOf<"tracker_refused">, at: string): Decision {
  const refusal = asked(run, event);
  if (refusal) return refusal;
  const tracker = trackerOf(run);
  if (tracker.refused.includes(event.tracker))
    return refuse("already_handled", `This run's thread says already that ${event.tracker} refused.`);
  const next = { ...run, tracker: { ...tracker, refused: [...tracker.refused, event.tracker] } };
  return acceptRecord(run, next, event, at, [], { detail: event.message, line: true });
}

export function trackerAccepted(run: Run, event: EventOf<"tracker_accepted">, at: string): Decision {
  const refusal = asked(run, event);
  if (refusal) return refusal;
  const tracker = trackerOf(run);
  if (!tracker.refused.includes(event.tracker)) return refuse("already_handled", "Nothing to clear.");
  const next = {
    ...run,
    tracker: { ...tracker, refused: tracker.refused.filter((t) => t !== event.tracker) },
  };
  return acceptRecord(run, next, event, at, [], { line: false });
}

/** The follow-up just recorded (the last one) becomes an issue when the post-mortem is one. */
export function followUpTrackerEffects(run: Run) {
  return trackerFollowUpEffects(run, run.followUps.length - 1);
}
