import type { Decision } from "./run/apply-event.js";
import type { PriorRun } from "./run/create-run.js";
import type { Refusal } from "./run/effects.js";
import type { Run } from "./run/run-schema.js";

/** One line of a run's append-only log: every event offered, accepted or refused and why. */
export interface RunLogEntry {
  at: string;
  by: string;
  type: string;
  eventId: string;
  accepted: boolean;
  refusal?: Refusal;
  /** The run's version after the event (unchanged when refused). */
  version: number;
}

export type UpdateResult =
  | { status: "applied"; run: Run; decision: Extract<Decision, { accepted: true }> }
  | { status: "refused"; run: Run; refusal: Refusal }
  /** The same event id was seen before: nothing was applied again; `outcome` is what happened then. */
  | { status: "duplicate"; run: Run; outcome: Pick<RunLogEntry, "accepted" | "refusal" | "version"> }
  | { status: "not_found" };

export interface RunUpdate {
  /** Unique per click or delivery (Slack's action_ts + user, a retry carries the same one). */
  eventId: string;
  by: string;
  type: string;
  at: Date;
  decide: (run: Run) => Decision;
}

/** Where runs live. Implementations must apply concurrent updates one at a time, none lost. */
export interface RunStore {
  create(run: Run): Promise<void>;
  get(runId: string): Promise<Run | undefined>;
  update(runId: string, update: RunUpdate): Promise<UpdateResult>;
  log(runId: string): Promise<RunLogEntry[]>;
  activeRuns(channel: string): Promise<Run[]>;
  priorRuns(checklistId: string): Promise<PriorRun[]>;
}
