import type { Action, Checklist } from "./checklist/schema.js";
import type { Decision } from "./run/apply-event.js";
import type { PriorRun } from "./run/create-run.js";
import type { Effect, Refusal } from "./run/effects.js";
import type { Activity, Run, ScheduledReminder } from "./run/run-schema.js";
import type { MaintenanceWindow } from "./window.js";

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

/** Effects stored with the state change that caused them, until they have been carried out. */
export interface OutboxEntry {
  id: string;
  runId: string;
  at: string;
  effects: Effect[];
}

export type UpdateResult =
  | { status: "applied"; run: Run; decision: Extract<Decision, { accepted: true }>; outboxId: string }
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
  /** Which of an accepted decision's effects to keep in the outbox until carried out. */
  keep?: (effects: readonly Effect[]) => Effect[];
}

/** Where runs live. Implementations must apply concurrent updates one at a time, none lost. */
export interface RunStore {
  /** Stores a new run; its first effects wait in the outbox under the returned id. */
  create(run: Run, effects?: readonly Effect[]): Promise<string>;
  get(runId: string): Promise<Run | undefined>;
  update(runId: string, update: RunUpdate): Promise<UpdateResult>;
  log(runId: string): Promise<RunLogEntry[]>;
  /** Effects whose state change is stored but that were not all carried out (a crash, a failure). */
  pendingEffects(): Promise<OutboxEntry[]>;
  effectsDone(outboxId: string): Promise<void>;
  activeRuns(channel: string): Promise<Run[]>;
  priorRuns(checklistId: string): Promise<PriorRun[]>;
}

/** A checklist as loaded from a file. */
export interface CatalogEntry {
  checklist: Checklist;
  file: string;
  hash: string;
  commit?: string;
}

/** The checklists the bot knows, loaded and validated at start. */
export interface ChecklistCatalog {
  get(id: string): CatalogEntry | undefined;
  list(): CatalogEntry[];
}

/** Where people watch a run (the Slack message and its thread). */
export interface RunPublisher {
  /** Posts the run message; remembers where it is so later refreshes update it in place. */
  publish(run: Run): Promise<void>;
  /** Redraws the run message from the latest stored state; refreshes close together coalesce. */
  refresh(runId: string): void;
  /** One line of what happened, for the run's thread; lines close together are batched. */
  postActivity(run: Run, activity: Activity): void;
  requestVerification(run: Run, stepId: string, completedBy: string, ask: string[]): Promise<void>;
  requestApproval(run: Run, stepId: string, requestedBy: string, ask: string[]): Promise<void>;
  runClosed(run: Run, outcome: "finished" | "aborted"): Promise<void>;
}

/** Timed work that must survive restarts (BullMQ). */
export interface Scheduler {
  scheduleReminder(reminder: ScheduledReminder): Promise<void>;
  cancelReminders(runId: string, options: { keepOnAbort: boolean }): Promise<void>;
  scheduleOverrunNudges(runId: string, stepId: string, at: string[]): Promise<void>;
  cancelOverrunNudges(runId: string, stepId: string): Promise<void>;
}

/** Runs a step's automated action (AWS RDS) and reports back through the run service. */
export interface ActionRunner {
  run(request: {
    runId: string;
    stepId: string;
    action: Action;
    dryRun: boolean;
    jobKey: string;
  }): Promise<void>;
}

export interface Logger {
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** Where a run's message is, and which run a thread belongs to. */
export interface MessageRef {
  channel: string;
  ts: string;
}
export interface MessageRefs {
  save(runId: string, ref: MessageRef): Promise<void>;
  get(runId: string): Promise<MessageRef | undefined>;
  runOfThread(channel: string, threadTs: string): Promise<string | undefined>;
}

/** Scheduled maintenance windows. `claim` changes the status only from `scheduled`, once. */
export interface WindowStore {
  save(window: MaintenanceWindow): Promise<void>;
  get(windowId: string): Promise<MaintenanceWindow | undefined>;
  claim(windowId: string, status: "started" | "cancelled"): Promise<MaintenanceWindow | undefined>;
}

/** Timed jobs of scheduled windows (BullMQ). */
export interface WindowScheduler {
  scheduleWindow(window: MaintenanceWindow, announceBeforeMs: readonly number[]): Promise<void>;
  /** Removes the window's pending jobs; returns how many. */
  cancelWindow(window: MaintenanceWindow): Promise<number>;
}
