import type { CheckReport } from "./checks/check-report.js";
import type { DurationRange } from "./duration.js";
import type { HistoryComparison } from "./history/compare.js";
import type { RunStatus, StepStatus } from "./run/run-schema.js";

/** The shape of a run's post-mortem (built by summary.ts, drawn by the Markdown and Slack renderers). */

/** A step named by its number in the checklist (1-based) and its title. */
export interface StepRef {
  number: number;
  title: string;
}

export interface StepSummary extends StepRef {
  id: string;
  phase: string;
  status: StepStatus;
  /** This step starts or ends the downtime. */
  downtime?: "start" | "end";
  startedAt?: string;
  startedBy?: string;
  completedAt?: string;
  completedBy?: string;
  verifiedBy?: string;
  approvedBy?: string;
  skippedAt?: string;
  skippedBy?: string;
  /**
   * Start to completion; a step never completed: start to its failure, its skip, or the run's end.
   * Absent when it was not timed: never started, or marked done in one click without a start.
   */
  durationMs?: number;
  /** The step was still open when the run ended (or is now): its duration is a lower bound. */
  durationOpen: boolean;
  expected?: DurationRange;
  /** It took longer than the longest expected duration. */
  overran: boolean;
  skipReason?: string;
  failure?: string;
  /** What its automated action produced (snapshot id, status seen). */
  results: Record<string, string>;
  /** A failed automated step done by hand instead: what was done, by whom. */
  manual?: { text: string; by: string; at: string };
  /** A step of the rollback (the run switched into it). */
  rollback?: boolean;
}

export interface DowntimeSummary {
  startStep: StepRef;
  /** Absent when no step ends the downtime: it lasts until the run ends. */
  endStep?: StepRef;
  /** The start step's start (or its completion, when it was done in one click); absent: it never began. */
  startedAt?: string;
  endedAt?: string;
  /** Started but not ended: `actualMs` runs to the run's end (or now) and is a lower bound. */
  openEnded: boolean;
  actualMs?: number;
  /** Sum of the expected durations of the steps from the start step to the end step, inclusive. */
  planned: DurationRange & { steps: number; unestimatedSteps: number };
  overran: boolean;
}

export interface SkippedStep extends StepRef {
  by?: string;
  at?: string;
  reason: string;
}

export interface ProblemSummary {
  id: string;
  step?: StepRef;
  text: string;
  reportedBy: string;
  reportedAt: string;
  /** How it ended; absent while it is still open. */
  resolved?: { by: string; at: string; resolution: string };
}

export interface NoteSummary {
  at: string;
  by: string;
  text: string;
  source: "button" | "thread";
  step?: StepRef;
  /** Evidence from the thread: files shared with the reply, and where the reply is. */
  files?: { name: string; permalink?: string }[];
  permalink?: string;
}

/** Who worked the run changed: a hand-over, a buddy named, a step reassigned. */
export interface PeopleChange {
  at: string;
  by: string;
  kind: "hand_over" | "set_buddy" | "reassign_step";
  to: string;
  step?: StepRef;
}

export interface AutomatedResult extends StepRef {
  results: { key: string; value: string }[];
  /** What a check saw: the whole kept result table and each expectation. */
  check?: CheckReport;
}

export interface PendingReminder {
  dueAt: string;
  channel: string;
  text: string;
}

/** Something a person wrote down about the run (what to improve next time). */
export interface FollowUp {
  at: string;
  by: string;
  text: string;
  /** Its issue in the tracker, and whether it is open or closed there (when asked). */
  issue?: { ref: string; url: string; state?: "open" | "closed" };
}

export type AfterRunKind =
  | "reminder_done"
  | "reminder_snoozed"
  | "deletion_requested"
  | "snapshot_deleted"
  | "post_failed";

/** A start past the environment gate: listed first in the post-mortem. */
export interface OverrideSummary {
  reason: string;
  requestedBy: string;
  requestedAt: string;
  /** What the gate refused. */
  gate: string;
  approvedBy?: string;
  approvedAt?: string;
}

export interface AfterRunRecord {
  at: string;
  by: string;
  kind: AfterRunKind;
  detail: string;
}

export interface Summary {
  runId: string;
  outcome: RunStatus;
  abortReason?: string;
  /** Who finished or aborted the run. */
  closedBy?: string;
  dryRun: boolean;
  /** Set when the run was started past the environment gate (break-glass). */
  override?: OverrideSummary;
  startedAt: string;
  endedAt?: string;
  /** Start to end; for a run still active, start to `generatedAt`. */
  totalMs: number;
  generatedAt: string;
  owner: string;
  buddy?: string;
  environment?: string;
  checklist: {
    id: string;
    title: string;
    /** The checklist's content hash and, when it was loaded from a git checkout, the file's last commit. */
    version: { hash: string; commit?: string; file?: string };
  };
  params: Record<string, string>;
  /** Sum of the expected durations of every step; steps without one are counted apart. */
  expected: DurationRange & { unestimatedSteps: number };
  counts: { total: number; done: number; skipped: number; failed: number; unfinished: number };
  downtime?: DowntimeSummary;
  steps: StepSummary[];
  skipped: SkippedStep[];
  problems: ProblemSummary[];
  /** Notes from buttons and from thread replies, oldest first. */
  notes: NoteSummary[];
  /** Hand-overs, buddies named and steps reassigned, oldest first. */
  people?: PeopleChange[];
  results: AutomatedResult[];
  /** Soonest first. */
  pendingReminders: PendingReminder[];
  followUps: FollowUp[];
  afterRun: AfterRunRecord[];
  /** The run against earlier runs, and what the checklist could learn (when the history was given). */
  history?: HistoryComparison;
  /** Picks made at decision points, oldest first (summary-recovery.ts). */
  decisions?: DecisionSummary[];
  /** Pauses of the run, oldest first: their time is not counted against any step. */
  pauses?: PauseSummary[];
  /** The run switched into rollback: who, when, why. */
  rollback?: { reason: string; by: string; at: string };
  /** The run's work ticket and where it links to. */
  ticket?: { id: string; url?: string };
  /** The post-mortem as an issue in the checklist's tracker. */
  postMortemIssue?: { ref: string; url: string };
}

export interface DecisionSummary {
  step: StepRef;
  question: string;
  option: string;
  reason: string;
  by: string;
  at: string;
}

export interface PauseSummary {
  reason: string;
  by: string;
  at: string;
  resumedBy?: string;
  resumedAt?: string;
  resumeReason?: string;
  /** To the resume, or for a pause still open to the run's end (or now). */
  durationMs: number;
}
