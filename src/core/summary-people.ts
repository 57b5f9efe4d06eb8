import type { Run } from "./run/run-schema.js";
import type { PeopleChange, StepRef } from "./summary-types.js";

/** Hand-overs, buddies named and steps reassigned, read from the run's timeline (people.ts). */
export function peopleChanges(run: Run, refs: ReadonlyMap<string, StepRef>): PeopleChange[] {
  const kinds = new Set<PeopleChange["kind"]>(["hand_over", "set_buddy", "reassign_step"]);
  return run.history
    .filter((activity) => kinds.has(activity.type as PeopleChange["kind"]) && activity.detail)
    .map((activity) => {
      const step = activity.stepId ? refs.get(activity.stepId) : undefined;
      return {
        at: activity.at,
        by: activity.by,
        kind: activity.type as PeopleChange["kind"],
        // set_buddy records `U2 (was U1)`: the first word is who.
        to: (activity.detail ?? "").split(" ")[0] ?? "",
        ...(step ? { step } : {}),
      };
    });
}
