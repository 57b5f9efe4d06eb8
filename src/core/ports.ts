import type { Action, Checklist } from "./checklist/schema.js";
import type { Decision } from "./run/apply-event.js";
import type { PriorRun } from "./run/create-run.js";
import type { Effect, Refusal } from "./run/effects.js";
import type { Run, ScheduledReminder } from "./run/run-schema.js";
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

/** One effect with its stable id (run, version, index): carrying it out twice is noticed. */
export interface StoredEffect {
  id: string;
  effect: Effect;
}

/** Effects stored with the state change that caused them, until they have been carried out. */
export interface OutboxEntry {
  /** `v<version>`: the run's version after the change, so entries of a run sort in order. */
  id: string;
  runId: string;
  seq: number;
  at: string;
  effects: StoredEffect[];
}

/** What is known of one effect: tried (the answer may have been lost) or done (with what it made). */
export interface EffectRecord {
  status: "tried" | "done";
  at: string;
  /** The Slack message it made (ts), when it made one. */
  ts?: string;
  channel?: string;
}

export type UpdateResult =
  | {
      status: "applied";
      run: Run;
      decision: Extract<Decision, { accepted: true }>;
      outbox?: OutboxEntry;
      /** The run message shows what changed (`changesRunMessage`): a redraw was asked for. */
      redraw: boolean;
    }
  | { status: "refused"; run: Run; refusal: Refusal }
  /** The same event id was accepted before: nothing was applied again. */
  | { status: "duplicate"; run: Run; outcome: Pick<RunLogEntry, "accepted" | "refusal" | "version"> }
  | { status: "not_found" };

export interface RunUpdate {
  /** Unique per click or delivery (Slack's action_ts + user, a retry carries the same one). */
  eventId: string;
  by: string;
  type: string;
  at: Date;
  decide: (run: Run) => Decision;
  /**
   * Effect records written with the commit, applied or refused (what was carried out before it,
   * e.g. a reminder's post "done"): one write instead of two. Not written when the run is missing.
   */
  records?: Readonly<Record<string, EffectRecord>>;
}

/** Where runs live. Implementations must apply concurrent updates one at a time, none lost. */
export interface RunStore {
  /** Stores a new run; its first effects wait in its outbox (returned, when there are any). */
  create(run: Run, effects?: readonly Effect[]): Promise<OutboxEntry | undefined>;
  /**
   * The run as a click needs it: its state, its plan, every history entry that moved it on and
   * the most recent others and notes (a bounded amount, whatever the run's age). Enough to decide
   * and to draw the run message; the post-mortem and exports read `getComplete`.
   */
  get(runId: string): Promise<Run | undefined>;
  /**
   * The view this process last read or committed, when it shows at least version `atLeast`;
   * otherwise a read, as `get`. For what a newer commit cannot change (a run's channel, its
   * plan), what a commit re-checks anyway, or effects of a known version.
   */
  recent?(runId: string, atLeast?: number): Promise<Run | undefined>;
  /** The whole run: every history entry and note (the post-mortem, `preflight export`). */
  getComplete(runId: string): Promise<Run | undefined>;
  update(runId: string, update: RunUpdate): Promise<UpdateResult>;
  log(runId: string): Promise<RunLogEntry[]>;
  /** Runs whose outbox holds effects not all carried out (a crash, a failure, or just now). */
  runsWithOutbox(): Promise<string[]>;
  /** A run's outbox entries, oldest first. */
  outbox(runId: string): Promise<OutboxEntry[]>;
  /** Every effect of the entry was carried out: it leaves the outbox. */
  clearOutboxEntry(runId: string, entryId: string): Promise<void>;
  /** What is known of the run's effects, by effect id: all of them, or only those of `ids`. */
  effectRecords(runId: string, ids?: readonly string[]): Promise<Record<string, EffectRecord>>;
  markEffect(runId: string, effectId: string, record: EffectRecord): Promise<void>;
  /** `outbox` and `effectRecords` together, in one round trip where the store can. */
  pending?(runId: string): Promise<{ entries: OutboxEntry[]; records: Record<string, EffectRecord> }>;
  /** Runs whose message shows an older version than the stored one, with the version wanted. */
  redrawsWanted(): Promise<{ runId: string; version: number }[]>;
  /** The message now shows `version`; the wish goes unless a newer version came meanwhile. */
  redrawn(runId: string, version: number): Promise<void>;
  wantRedraw(runId: string, version: number): Promise<void>;
  activeRuns(channel: string): Promise<Run[]>;
  /** Active runs in every channel (each person's App Home lists theirs). */
  allActiveRuns(): Promise<Run[]>;
  priorRuns(checklistId: string): Promise<PriorRun[]>;
}

/** Exclusive, expiring claims (one process carries out a run's effects at a time). */
export interface Leases {
  /** A token when the lease was free, undefined when someone holds it. */
  acquire(name: string, ttlMs: number): Promise<string | undefined>;
  renew(name: string, token: string, ttlMs: number): Promise<boolean>;
  release(name: string, token: string): Promise<void>;
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

/** What is known of a run's effects, for the adapter that carries one out. */
export interface EffectLedger {
  /** An effect's own record, or one of its parts' (EFFECT_PARTS, EFFECT_NUMBERED_PART). */
  get(effectId: string): EffectRecord | undefined;
  mark(effectId: string, record: EffectRecord): Promise<void>;
}

/**
 * An effect done in parts keeps a record per part beside its own: the run message or the
 * post-mortem's message, the post-mortem's file, and the notice that the file could not be
 * uploaded. Readers of an outbox read these too.
 */
export const EFFECT_PARTS = { message: ".message", file: ".file", fileFailed: ".file.failed" } as const;
export const EFFECT_PART_SUFFIXES: readonly string[] = Object.values(EFFECT_PARTS);
/**
 * Parts numbered from 0 (`<id>.list0`, `<id>.list1`…: a long checklist's list in the run's
 * thread), each done only after the one before: readers read them in order up to the first missing.
 */
export const EFFECT_NUMBERED_PART = ".list";

/** One line for a run's thread, from the effect that asked for it. */
export interface ThreadLine {
  effectId: string;
  effect: Effect;
}

/**
 * Where people watch a run (the Slack message and its thread). Each call carries effects out
 * exactly once: what the ledger says was done is not done again, and what it says was tried
 * (the answer may have been lost) is looked for before it is done again.
 */
export interface RunPublisher {
  /** Posts the run message and remembers where it is, so redraws update it in place. */
  publish(run: Run, effectId: string, ledger: EffectLedger): Promise<void>;
  /** Posts lines into the run's thread, joined into as few messages as fit. */
  postLines(run: Run, lines: readonly ThreadLine[], ledger: EffectLedger): Promise<void>;
  /** The post-mortem: the summary message and the Markdown file. */
  postSummary(run: Run, effectId: string, ledger: EffectLedger): Promise<void>;
  /** Draws the run message from this state (nothing when it was never posted). */
  redraw(run: Run): Promise<"drawn" | "not_posted">;
  /** Tells the run's owner privately about a failure they can fix; once per run and kind. */
  tellOwner(run: Run, kind: string, text: string): Promise<void>;
}

/** Timed work that must survive restarts (BullMQ). */
export interface Scheduler {
  scheduleReminder(reminder: ScheduledReminder): Promise<void>;
  cancelReminders(runId: string, options: { keepOnAbort: boolean }): Promise<void>;
  scheduleOverrunNudges(runId: string, stepId: string, at: string[]): Promise<void>;
  cancelOverrunNudges(runId: string, stepId: string): Promise<void>;
  /** A look at the run's projected end at `at` (communications.ts); the same time twice is one job. */
  scheduleWindowCheck?(runId: string, at: string): Promise<void>;
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
  /** Detail for whoever debugs (LOG_LEVEL=debug); loggers that have no such level leave it out. */
  debug?(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** Where a run's message is, and which run a thread belongs to. */
export interface MessageRef {
  channel: string;
  ts: string;
  /** The message's permalink, asked of Slack once when it was posted (absent if Slack gave none). */
  link?: string;
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
  /** The windows a person scheduled or is named in (their Home tab); absent: none are listed. */
  forPerson?(user: string): Promise<MaintenanceWindow[]>;
}

/** Timed jobs of scheduled windows (BullMQ). */
export interface WindowScheduler {
  scheduleWindow(window: MaintenanceWindow, announceBeforeMs: readonly number[]): Promise<void>;
  /** Removes the window's pending jobs; returns how many. */
  cancelWindow(window: MaintenanceWindow): Promise<number>;
}

/** How a request from Slack came: the acknowledgement latency is counted by kind. */
export type AckKind = "command" | "action" | "view" | "event" | "options" | "shortcut";

/**
 * What operators count (Prometheus, src/observability/metrics.ts). The service and the adapters
 * report what happened; nothing here decides anything. `noMetrics` where nobody scrapes.
 */
export interface Metrics {
  ack(kind: AckKind, seconds: number): void;
  /** A person's click or form: applied, refused (with the refusal's code), duplicate, not_found, failed. */
  click(outcome: "applied" | "refused" | "duplicate" | "not_found" | "failed", reason?: string): void;
  runStarted(): void;
  /** A run left `active`: its new status (finished, aborted, rolled_back…). */
  runEnded(status: string): void;
  stepOverrun(): void;
  /** A reminder was posted this many seconds after it was due. */
  reminderPosted(latenessSeconds: number): void;
  /** One Slack Web API call: its method and outcome (ok, Slack's error code, 429, network_error). */
  slackCall(method: string, outcome: string): void;
  /** One RDS call (after the SDK's retries): its action and outcome (ok or the error's name). */
  rdsCall(action: string, outcome: string): void;
}

export const noMetrics: Metrics = {
  ack: () => undefined,
  click: () => undefined,
  runStarted: () => undefined,
  runEnded: () => undefined,
  stepOverrun: () => undefined,
  reminderPosted: () => undefined,
  slackCall: () => undefined,
  rdsCall: () => undefined,
};
