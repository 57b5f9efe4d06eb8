import { z } from "zod";

/** A maintenance window scheduled ahead: announced now, reminded before, started with a button. */

export const windowSchema = z.object({
  id: z.string().regex(/^w-[a-z0-9-]+$/),
  checklistId: z.string(),
  title: z.string(),
  params: z.record(z.string(), z.string()),
  channel: z.string(),
  owner: z.string(),
  buddy: z.string().optional(),
  dryRun: z.boolean().default(false),
  startsAt: z.iso.datetime(),
  status: z.enum(["scheduled", "started", "cancelled"]),
  createdAt: z.iso.datetime(),
});
export type MaintenanceWindow = z.infer<typeof windowSchema>;

export const windowJobSchema = z.object({
  windowId: z.string(),
  kind: z.enum(["announce", "start"]),
  /** For announcements: how long before the start, in ms. */
  beforeMs: z.number().int().nonnegative(),
  dueAt: z.iso.datetime(),
});
export type WindowJob = z.infer<typeof windowJobSchema>;

export const DEFAULT_ANNOUNCE_BEFORE_MS = [24 * 3_600_000, 3_600_000];

/** The jobs of a window: an announcement at each offset still ahead, then the start. */
export function windowJobs(
  window: MaintenanceWindow,
  announceBeforeMs: readonly number[],
  now: Date,
): (WindowJob & { jobId: string })[] {
  const start = Date.parse(window.startsAt);
  const announcements = [...new Set(announceBeforeMs)]
    .filter((before) => start - before > now.getTime())
    .sort((a, b) => b - a)
    .map((beforeMs) => ({
      windowId: window.id,
      kind: "announce" as const,
      beforeMs,
      dueAt: new Date(start - beforeMs).toISOString(),
      jobId: `${window.id}.announce.${beforeMs}`,
    }));
  return [
    ...announcements,
    { windowId: window.id, kind: "start", beforeMs: 0, dueAt: window.startsAt, jobId: `${window.id}.start` },
  ];
}

/**
 * Who may cancel a scheduled window: whoever scheduled it, or one of the checklist's starters;
 * and only from the channel it was scheduled in. Undefined when allowed; otherwise why not.
 */
export function cancelRefusal(
  window: MaintenanceWindow,
  starters: readonly string[] | undefined,
  by: string,
  channel: string,
): string | undefined {
  if (channel !== window.channel)
    return `Window ${window.id} was scheduled in <#${window.channel}>: cancel it there.`;
  if (by === window.owner || starters?.includes(by)) return undefined;
  const who = [`<@${window.owner}> (who scheduled it)`, ...(starters ?? []).map((user) => `<@${user}>`)];
  return `Only ${who.join(", ")} may cancel window ${window.id}${starters?.length ? " (the checklist's starters)" : ""}.`;
}
