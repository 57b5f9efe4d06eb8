import { randomBytes } from "node:crypto";
import { renderTemplate } from "../core/checklist/template.js";
import { parseDuration } from "../core/duration.js";
import type { ChecklistCatalog, WindowScheduler, WindowStore } from "../core/ports.js";
import { resolveParameters } from "../core/run/create-run.js";
import { parseWindowTime } from "../core/schedule-time.js";
import { cancelRefusal, DEFAULT_ANNOUNCE_BEFORE_MS, type MaintenanceWindow } from "../core/window.js";
import type { RunService, StartOutcome } from "./run-service.js";

/** Scheduled maintenance: announce ahead, remind before, and start the run from a button. */

export interface ScheduleRequest {
  checklistId: string;
  at: string;
  timeZone: string;
  params: Record<string, string>;
  channel: string;
  owner: string;
  buddy?: string;
  dryRun: boolean;
}

export type ScheduleOutcome =
  | { ok: true; window: MaintenanceWindow; announceBeforeMs: number[] }
  | { ok: false; message: string };

export function createWindowService(deps: {
  catalog: ChecklistCatalog;
  windows: WindowStore;
  scheduler: WindowScheduler;
  runs: RunService;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  async function schedule(request: ScheduleRequest): Promise<ScheduleOutcome> {
    const entry = deps.catalog.get(request.checklistId);
    if (!entry) return { ok: false, message: deps.runs.unknownChecklist(request.checklistId) };
    const time = parseWindowTime(request.at, request.timeZone, now());
    if (!time.ok) return { ok: false, message: time.message };
    const resolved = resolveParameters(entry.checklist, request.params);
    if (!resolved.ok) return { ok: false, message: resolved.errors.map((error) => error.message).join("\n") };
    const window: MaintenanceWindow = {
      id: `w-${Date.now().toString(36)}-${randomBytes(2).toString("hex")}`,
      checklistId: entry.checklist.id,
      title: renderTemplate(entry.checklist.title, resolved.values),
      params: request.params,
      channel: request.channel,
      owner: request.owner,
      dryRun: request.dryRun,
      startsAt: time.at.toISOString(),
      status: "scheduled",
      createdAt: now().toISOString(),
      ...(request.buddy ? { buddy: request.buddy } : {}),
    };
    const announceBeforeMs =
      entry.checklist.announce_before?.map((text) => parseDuration(text) ?? 0) ?? DEFAULT_ANNOUNCE_BEFORE_MS;
    await deps.windows.save(window);
    await deps.scheduler.scheduleWindow(window, announceBeforeMs);
    return { ok: true, window, announceBeforeMs };
  }

  async function cancel(
    windowId: string,
    by: string,
    channel: string,
  ): Promise<{ ok: true; window: MaintenanceWindow; removed: number } | { ok: false; message: string }> {
    const scheduled = await deps.windows.get(windowId);
    if (scheduled) {
      const starters = deps.catalog.get(scheduled.checklistId)?.checklist.rules.starters;
      const refusal = cancelRefusal(scheduled, starters, by, channel);
      if (refusal) return { ok: false, message: refusal };
    }
    const window = await deps.windows.claim(windowId, "cancelled");
    if (!window) return { ok: false, message: await whyNotScheduled(windowId) };
    return { ok: true, window, removed: await deps.scheduler.cancelWindow(window) };
  }

  /**
   * The window's Start button: the first click starts the run, with the clicker as its owner.
   * `buddy`: named in the start form when the environment requires one and the window has none.
   */
  async function start(windowId: string, owner: string, buddy?: string): Promise<StartOutcome> {
    const window = await deps.windows.claim(windowId, "started");
    if (!window) return { ok: false, message: await whyNotScheduled(windowId) };
    const outcome = await deps.runs.startRun({
      checklistId: window.checklistId,
      params: window.params,
      channel: window.channel,
      owner,
      dryRun: window.dryRun,
      ...(buddy ? { buddy } : window.buddy && window.buddy !== owner ? { buddy: window.buddy } : {}),
    });
    // A refused start (prod before qa, say) leaves the window startable once that is fixed.
    if (!outcome.ok) await deps.windows.save({ ...window, status: "scheduled" });
    return outcome;
  }

  async function whyNotScheduled(windowId: string): Promise<string> {
    const window = await deps.windows.get(windowId);
    if (!window)
      return `There is no scheduled window "${windowId}". \`/maintenance reminders\` lists what is pending here.`;
    return `Window ${windowId} was already ${window.status}.`;
  }

  /** Windows still to come that the person scheduled or is named in, soonest first. */
  async function forPerson(user: string): Promise<MaintenanceWindow[]> {
    const windows = (await deps.windows.forPerson?.(user)) ?? [];
    return windows
      .filter((window) => window.status === "scheduled")
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  }

  return { schedule, cancel, start, get: deps.windows.get, forPerson };
}

export type WindowService = ReturnType<typeof createWindowService>;
