import type { HistoryEntry } from "./history-schema.js";

/** How many runs the history keeps per checklist and environment: the newest by start. */
export const HISTORY_LIMIT = 100;

/**
 * Where the history of closed runs lives, outside the run documents. `record` is idempotent per
 * run: recording an entry again changes nothing unless it comes from a newer version of the run.
 */
export interface HistoryStore {
  record(entry: HistoryEntry): Promise<void>;
  /** The kept runs of a checklist in one environment (`null`: runs without one), or in all when `env` is undefined. */
  entries(checklistId: string, env?: string | null): Promise<HistoryEntry[]>;
}
