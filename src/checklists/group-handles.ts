import { handlesIn, resolveHandles } from "../core/checklist/group-handles.js";
import type { LoadResult } from "./load-checklists.js";

/**
 * User group `@handle`s named in the loaded checklists, resolved to ids once at load. Slack is
 * asked only when some checklist names a handle; if it can't be asked, those checklists are left
 * out (with the reason), the others load.
 */
export async function withGroupHandlesResolved(
  loaded: LoadResult,
  groupIds: () => Promise<Map<string, string>>,
): Promise<LoadResult> {
  if (!loaded.checklists.some((entry) => handlesIn(entry.checklist).length > 0)) return loaded;
  let ids: Map<string, string> | undefined;
  let failure = "";
  try {
    ids = await groupIds();
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  }
  const result: LoadResult = { checklists: [], problems: [...loaded.problems] };
  for (const entry of loaded.checklists) {
    if (handlesIn(entry.checklist).length === 0) {
      result.checklists.push(entry);
      continue;
    }
    const resolved = ids
      ? resolveHandles(entry.checklist, ids)
      : {
          ok: false as const,
          message: `names user groups by @handle, and Slack's user groups could not be read (${failure}): check the usergroups:read scope`,
        };
    if (resolved.ok) result.checklists.push({ ...entry, checklist: resolved.checklist });
    else
      result.problems.push({
        file: entry.file,
        line: 1,
        column: 1,
        path: "rules",
        message: resolved.message,
      });
  }
  return result;
}
