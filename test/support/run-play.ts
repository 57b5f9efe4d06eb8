import { applyEvent, type Decision } from "../../src/core/run/apply-event.js";
import type { Run, RunEvent } from "../../src/core/run/run-schema.js";
import { minutesAfter, T0 } from "./checklist-fixtures.js";

/** Applies events a minute apart, failing the test on the first refusal. */
export function play(run: Run, events: RunEvent[], start = T0): Run {
  return events.reduce((current, event, i) => {
    const decision = applyEvent(current, event, minutesAfter(start, i + 1));
    if (!decision.accepted) throw new Error(`${event.type} refused: ${decision.refusal.message}`);
    return decision.run;
  }, run);
}

export function refusalOf(decision: Decision) {
  if (decision.accepted) throw new Error("expected a refusal");
  return decision.refusal;
}

export function acceptedOf(decision: Decision) {
  if (!decision.accepted) throw new Error(`refused: ${decision.refusal.message}`);
  return decision;
}
