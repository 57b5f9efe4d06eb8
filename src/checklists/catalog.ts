import type { ChecklistCatalog } from "../core/ports.js";
import type { LoadedChecklist } from "./load-checklists.js";

export function createCatalog(loaded: readonly LoadedChecklist[]): ChecklistCatalog {
  const byId = new Map(loaded.map((entry) => [entry.checklist.id, entry]));
  return { get: (id) => byId.get(id), list: () => [...byId.values()] };
}
