import { communicationsAfter, overrunUpdate, overrunUpdateDue } from "./communications.js";
import { acceptRecord, type Decision, type EventOf, refuse, refused } from "./decision.js";
import { actionOf, can } from "./permissions.js";
import type { Run } from "./run-schema.js";
import { gateReminders } from "./soak-gates.js";

/**
 * What any accepted event may set off besides its own effects: the reminder of a soak time that
 * began (soak-gates.ts) and the stakeholders' start, overrun and end posts (communications.ts).
 * Decided here once, so no event handler has to remember them.
 */
export function afterEvent(before: Run, decision: Decision, now: Date): Decision {
  if (!decision.accepted) return decision;
  const gates = gateReminders(before, decision.run, now);
  const told = communicationsAfter(before, gates.run, now);
  if (gates.effects.length === 0 && told.effects.length === 0) return decision;
  return { accepted: true, run: told.run, effects: [...decision.effects, ...gates.effects, ...told.effects] };
}

/** A timer found the run past its announced end: the new estimate goes out, at most every 15 minutes. */
export function announceOverrun(run: Run, event: EventOf<"announce_overrun">, now: Date): Decision {
  const permission = can(run, actionOf(event), event.by);
  if (!permission.allowed) return refused(permission.refusal);
  if (!overrunUpdateDue(run, now))
    return refuse(
      "wrong_state",
      "No overrun update is due: the run is on time, closed, or was updated less than 15 minutes ago.",
    );
  const update = overrunUpdate(run, now);
  const at = now.toISOString();
  // afterEvent sees the update already noted on the run, so it does not announce it twice.
  return acceptRecord(run, update.run, event, at, update.effects, { line: false });
}
