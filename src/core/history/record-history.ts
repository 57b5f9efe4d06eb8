import type { Effect } from "../run/effects.js";
import type { Run } from "../run/run-schema.js";
import { historyEntryOf } from "./history-entry.js";

/**
 * The effect that puts a closed real run into its checklist's history: asked for when the run
 * finishes or is aborted, and again when a follow-up is added after (the newer entry replaces the
 * older, by the run's version). A dry run never enters the history.
 */
export function recordHistory(run: Run): Effect[] {
  const entry = historyEntryOf(run);
  return entry ? [{ type: "record_history", entry }] : [];
}
