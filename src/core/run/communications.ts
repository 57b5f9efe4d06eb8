import { mapStrings, renderTemplate } from "../checklist/template.js";
import { formatDuration } from "../duration.js";
import type { Effect, WindowMoment } from "./effects.js";
import { liveValues, readableClock, type WindowFigures, windowFigures } from "./eta.js";
import type { Run } from "./run-schema.js";

/**
 * Live window communications: a checklist's `stakeholders` channel and `status_page` hear about a
 * run when it starts, when its projected end passes the announced end (at most every 15 minutes,
 * each time with a later estimate) and when it ends, with the real figures. Effects only: the
 * Slack layer posts them (once, by effect id), the status-page adapter makes the POST.
 * A rehearsal shows them in its own thread and calls nothing.
 */

/** At most one overrun update per this long. */
export const OVERRUN_UPDATE_EVERY_MS = 15 * 60_000;
/** A new estimate is worth telling when it is at least this much later than the last one told. */
const LATER_BY_MS = 60_000;

export function hasAudience(run: Run): boolean {
  return run.plan.stakeholders !== undefined || run.plan.status_page !== undefined;
}

/** The effects telling stakeholders about `moment`, with figures as of `now`. */
export function windowEffects(run: Run, moment: WindowMoment, now: Date): Effect[] {
  if (!hasAudience(run)) return [];
  const figures = windowFigures(run, now);
  const effects: Effect[] = [];
  const { stakeholders, status_page: page } = run.plan;
  if (stakeholders !== undefined)
    effects.push({
      type: "post_stakeholders",
      moment,
      channel: stakeholders,
      text: stakeholderText(run, moment, figures, now),
      rehearsal: run.dryRun,
    });
  if (page !== undefined) {
    const values = {
      ...run.params,
      date: run.createdAt.slice(0, 10),
      time: `${run.createdAt.slice(11, 16)} UTC`,
      "run.id": run.id,
      "run.channel": run.channel,
      "checklist.id": run.plan.id,
      "checklist.title": run.plan.title,
      ...liveValues(run, now),
      "run.update": moment,
    };
    const body = JSON.stringify(mapStrings(page.body, (text) => renderTemplate(text, values)));
    if (run.dryRun)
      effects.push({
        type: "post_stakeholders",
        moment,
        text: `Status page (not called in a rehearsal): would POST to ${page.url}: ${body}`,
        rehearsal: true,
      });
    else
      effects.push({
        type: "call_status_page",
        moment,
        url: page.url,
        body,
        ...(page.auth_header_env !== undefined ? { authHeaderEnv: page.auth_header_env } : {}),
      });
  }
  return effects;
}

/**
 * The start: stakeholders are told, and a timer is set for the planned end, from which on it looks
 * every 15 minutes whether a new estimate is due (the Slack layer's window check).
 */
export function startEffects(run: Run, now: Date): Effect[] {
  if (!hasAudience(run)) return [];
  const plannedEnd = new Date(windowFigures(run, now).plannedEndMs).toISOString();
  return [...windowEffects(run, "start", now), { type: "schedule_window_check", at: plannedEnd }];
}

/** Plain text; the Slack layer escapes all of it (the title carries parameters). */
export function stakeholderText(run: Run, moment: WindowMoment, figures: WindowFigures, now: Date): string {
  const title = `"${run.plan.title}"${run.environment ? ` (${run.environment})` : ""}`;
  const plannedEnd = readableClock(figures.plannedEndMs, now);
  const plannedDowntime =
    figures.plannedDowntimeMs === undefined
      ? ""
      : `; planned downtime ${formatDuration(figures.plannedDowntimeMs)}`;
  switch (moment) {
    case "start":
      return `🔧 Maintenance started: ${title}. Expected to end by ${plannedEnd}${plannedDowntime}. Updates follow here.`;
    case "overrun": {
      const late = formatDuration(figures.projectedEndMs - figures.plannedEndMs);
      return `⏳ ${title} is taking longer than announced: now expected to end at ${readableClock(figures.projectedEndMs, now)} (announced ${plannedEnd}, ${late} later).`;
    }
    case "end": {
      const ended = readableClock(figures.projectedEndMs, now);
      const took = formatDuration(figures.projectedEndMs - Date.parse(figures.startedAt));
      const down =
        figures.downtimeMs === undefined
          ? ""
          : ` Actual downtime: ${formatDuration(figures.downtimeMs)}${figures.plannedDowntimeMs === undefined ? "" : ` (planned ${formatDuration(figures.plannedDowntimeMs)})`}.`;
      return run.status === "finished"
        ? `✅ Maintenance finished: ${title} ended at ${ended} after ${took}; everything is back.${down}`
        : `⚠️ Maintenance stopped: ${title} was ${run.status.replace(/_/g, " ")} at ${ended} after ${took}.${down}`;
    }
  }
}

/**
 * An overrun update is due: the run is active, its projected end is past the announced end and
 * later than the estimate told last, and the last update is at least 15 minutes old.
 */
export function overrunUpdateDue(run: Run, now: Date): boolean {
  if (run.status !== "active" || !hasAudience(run)) return false;
  const figures = windowFigures(run, now);
  if (!figures.overrunning) return false;
  const told = run.communications;
  if (told?.overrunPostedAt && now.getTime() - Date.parse(told.overrunPostedAt) < OVERRUN_UPDATE_EVERY_MS)
    return false;
  const lastEstimate = told?.announcedEnd ? Date.parse(told.announcedEnd) : figures.plannedEndMs;
  return figures.projectedEndMs >= lastEstimate + LATER_BY_MS;
}

/** The run noting what it told, and the effects telling it. */
export function overrunUpdate(run: Run, now: Date): { run: Run; effects: Effect[] } {
  const figures = windowFigures(run, now);
  const communications = {
    overrunPostedAt: now.toISOString(),
    announcedEnd: new Date(figures.projectedEndMs).toISOString(),
  };
  return { run: { ...run, communications }, effects: windowEffects(run, "overrun", now) };
}

/**
 * What an accepted event means for stakeholders: the run became active (start), closed (end), or
 * moved on while overrunning (an update, throttled).
 */
export function communicationsAfter(before: Run, after: Run, now: Date): { run: Run; effects: Effect[] } {
  if (!hasAudience(after)) return { run: after, effects: [] };
  const wasOpen = before.status === "active" || before.status === "awaiting_override";
  if (before.status !== "active" && after.status === "active")
    return { run: after, effects: startEffects(after, now) };
  if (wasOpen && after.status !== "active" && after.status !== "awaiting_override")
    return { run: after, effects: windowEffects(after, "end", now) };
  if (overrunUpdateDue(after, now)) return overrunUpdate(after, now);
  return { run: after, effects: [] };
}
