import type { Decision, EventOf } from "./decision.js";
import { refuse } from "./decision.js";
import type { Run } from "./run-schema.js";
import { PREFLIGHT_USER } from "./run-schema.js";

/** The run message could not be posted at all: the run is not left active with nobody watching. */
export function runMessageFailed(run: Run, event: EventOf<"run_message_failed">, at: string): Decision {
  if (event.by !== PREFLIGHT_USER)
    return refuse("not_permitted", "Only Preflight reports failed deliveries.");
  if (run.status !== "active" && run.status !== "awaiting_override")
    return refuse("closed", "This run is already closed.");
  const reason = `The run message could not be posted (${event.error}).`;
  const activity = { at, by: event.by, type: event.type, detail: event.error };
  return {
    accepted: true,
    run: {
      ...run,
      status: "aborted",
      closedAt: at,
      abortReason: reason,
      version: run.version + 1,
      progress: run.progress + 1,
      history: [...run.history, activity],
    },
    effects: [{ type: "cancel_reminders", runId: run.id, keepOnAbort: false }],
  };
}
