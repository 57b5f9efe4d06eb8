import { HISTORY_LIMIT, type HistoryStore } from "../core/history/history-port.js";
import type { HistoryEntry } from "../core/history/history-schema.js";

/** The history in memory, with the Redis history's contract (redis-history.ts), for fast tests. */
export function createMemoryHistory(limit = HISTORY_LIMIT): HistoryStore & { all(): HistoryEntry[] } {
  const byKey = new Map<string, Map<string, HistoryEntry>>();
  const keyOf = (checklistId: string, env: string | null) => `${checklistId}\n${env ?? ""}\n${env === null}`;
  return {
    async record(entry) {
      const key = keyOf(entry.checklistId, entry.env);
      const runs = byKey.get(key) ?? new Map<string, HistoryEntry>();
      byKey.set(key, runs);
      const current = runs.get(entry.runId);
      if (current && current.runVersion >= entry.runVersion) return;
      runs.set(entry.runId, structuredClone(entry));
      const oldest = [...runs.values()].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
      for (const old of oldest.slice(0, Math.max(0, runs.size - limit))) runs.delete(old.runId);
    },
    async entries(checklistId, env) {
      return [...byKey.values()]
        .flatMap((runs) => [...runs.values()])
        .filter((entry) => entry.checklistId === checklistId && (env === undefined || entry.env === env))
        .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
        .map((entry) => structuredClone(entry));
    },
    all: () => [...byKey.values()].flatMap((runs) => [...runs.values()]),
  };
}
