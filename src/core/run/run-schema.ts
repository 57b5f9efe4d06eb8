import { z } from "zod";
import { actionSchema, checklistSchema, DECISION_OPTIONS } from "../checklist/schema.js";
import { checkReportSchema } from "../checks/check-report.js";
import { earlierRunsSchema } from "../history/history-schema.js";
import { isoTime, userId } from "./run-fields.js";

export { type RunEvent, type RunEventType, runEventSchema } from "./run-events-schema.js";

/**
 * A run: one execution of a checklist. The schema validates runs read back from storage;
 * the engine (apply-event.ts) is the only code that produces new versions of one.
 */

export const STEP_STATUSES = [
  "pending",
  "awaiting_approval",
  "running",
  "awaiting_verification",
  "done",
  "skipped",
  "failed",
  /** Its `when:` (or its phase's) does not hold for this run's parameters: needs no skip. */
  "not_applicable",
] as const;
export const stepStatusSchema = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof stepStatusSchema>;

export const stepStateSchema = z.object({
  id: z.string(),
  status: stepStatusSchema,
  startedAt: isoTime.optional(),
  startedBy: userId.optional(),
  completedAt: isoTime.optional(),
  completedBy: userId.optional(),
  verifiedAt: isoTime.optional(),
  verifiedBy: userId.optional(),
  /** A mutating automated action in a protected environment runs only once a teammate approved it. */
  approvedAt: isoTime.optional(),
  approvedBy: userId.optional(),
  /** What the automated action last saw (`modifying`, `creating 45%`), shown while it runs. */
  actionStatus: z.string().optional(),
  skippedAt: isoTime.optional(),
  skippedBy: userId.optional(),
  skipReason: z.string().optional(),
  /** Values an automated action produced (snapshot id, status seen), usable as {{steps.<id>.<key>}}. */
  results: z.record(z.string(), z.string()).default({}),
  failure: z.string().optional(),
  /** What an automated check (http.check, sql.check) saw: its result table and each expectation. */
  check: checkReportSchema.optional(),
  /** An automated step that failed and was done by hand instead: what was done (recovery-events.ts). */
  manual: z.object({ text: z.string(), by: userId, at: isoTime }).optional(),
});
export type StepState = z.infer<typeof stepStateSchema>;

export const problemSchema = z.object({
  id: z.string(),
  stepId: z.string().optional(),
  text: z.string(),
  reportedBy: userId,
  reportedAt: isoTime,
  resolvedBy: userId.optional(),
  resolvedAt: isoTime.optional(),
  resolution: z.string().optional(),
});
export type Problem = z.infer<typeof problemSchema>;

export const noteSchema = z.object({
  stepId: z.string().optional(),
  text: z.string(),
  by: userId,
  at: isoTime,
  source: z.enum(["button", "thread"]),
  /** Evidence from the thread: files shared with a reply, and where the reply is (people.ts). */
  files: z.array(z.object({ name: z.string(), permalink: z.string().optional() })).optional(),
  permalink: z.string().optional(),
});
export type Note = z.infer<typeof noteSchema>;

export const scheduledReminderSchema = z.object({
  /** Deterministic: run, reminder and occurrence. Used as the job id, so it is scheduled once. */
  key: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  runId: z.string(),
  reminderId: z.string(),
  occurrence: z.number().int().nonnegative(),
  dueAt: isoTime,
  /** Where it is posted (the checklist may name another channel, such as #business-updates). */
  channel: z.string(),
  /** Where the run happens: `/maintenance reminders` there lists it. */
  runChannel: z.string().optional(),
  text: z.string(),
  keepOnAbort: z.boolean(),
  action: actionSchema.optional(),
  /** A rehearsal's reminder: posted in the run's thread, offering nothing real (rehearsal.ts). */
  dryRun: z.boolean().optional(),
  /** The channel the checklist names, where a rehearsal would have posted it. */
  wouldPostTo: z.string().optional(),
});
export type ScheduledReminder = z.infer<typeof scheduledReminderSchema>;

/** What happened to a scheduled reminder: kept on the run, so its buttons outlive the job queue. */
export const reminderStateSchema = scheduledReminderSchema.omit({ runId: true }).extend({
  /** Posted (where, with which ts). */
  posted: z.object({ channel: z.string(), ts: z.string(), at: isoTime }).optional(),
  /** The first Done, Snooze or action click decides; later ones are refused. */
  handled: z
    .object({
      by: userId,
      at: isoTime,
      outcome: z.enum(["done", "snoozed", "action"]),
      until: isoTime.optional(),
    })
    .optional(),
  /** The run was aborted before it came due and it is not kept on abort. */
  cancelledAt: isoTime.optional(),
  /** In a protected environment, the first person's Delete snapshot… asks; a second confirms. */
  deletionRequested: z.object({ by: userId, at: isoTime }).optional(),
  /** The snapshot its rds.delete_snapshot action deleted. */
  snapshotDeleted: z.object({ snapshot: z.string(), region: z.string(), by: userId, at: isoTime }).optional(),
});
export type ReminderState = z.infer<typeof reminderStateSchema>;

export const followUpSchema = z.object({ at: isoTime, by: userId, text: z.string() });
export const postFailureSchema = z.object({ at: isoTime, what: z.string(), error: z.string() });

/** An issue Preflight made or commented on in a tracker: its reference and web page. */
export const trackerIssueSchema = z.object({ ref: z.string().min(1), url: z.string().min(1) });
export type TrackerIssue = z.infer<typeof trackerIssueSchema>;

/** What the run has in GitHub or Jira (tracker-events.ts keeps it). */
export const runTrackerSchema = z.object({
  /** Decided when the run closed: the post-mortem becomes an issue (and later follow-ups join it). */
  postMortemDue: z.boolean().optional(),
  postMortem: trackerIssueSchema.optional(),
  /** The follow-up issues, by the follow-up's index in `followUps`. */
  followUps: z.record(z.string(), trackerIssueSchema).default({}),
  /** Trackers whose refusal was said in the thread (once, until a call succeeds again). */
  refused: z.array(z.enum(["github", "jira"])).default([]),
});
export type RunTracker = z.infer<typeof runTrackerSchema>;

/** `awaiting_override`: started past the environment gate, waiting for a second person (override.ts). */
export const RUN_STATUSES = ["awaiting_override", "active", "finished", "aborted", "rolled_back"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** A break-glass start past the environment gate: who asked, why, what the gate said, who approved. */
export const runOverrideSchema = z.object({
  reason: z.string(),
  requestedBy: userId,
  requestedAt: isoTime,
  gate: z.string(),
  approvedBy: userId.optional(),
  approvedAt: isoTime.optional(),
});
export type RunOverride = z.infer<typeof runOverrideSchema>;

/** A decider's pick at a decision point, with the reason (recovery-events.ts). */
export const decisionRecordSchema = z.object({
  stepId: z.string(),
  option: z.enum(DECISION_OPTIONS),
  reason: z.string(),
  by: userId,
  at: isoTime,
});
export type DecisionRecord = z.infer<typeof decisionRecordSchema>;

/** A pause of the whole run: its time never counts as a step's overrun. */
export const pauseSchema = z.object({
  reason: z.string(),
  by: userId,
  at: isoTime,
  resumedBy: userId.optional(),
  resumedAt: isoTime.optional(),
  resumeReason: z.string().optional(),
});
export type Pause = z.infer<typeof pauseSchema>;

/** The run switched into its rollback: who, why, and the phase of rollback steps it added. */
export const rollbackStateSchema = z.object({
  reason: z.string(),
  by: userId,
  at: isoTime,
  phaseId: z.string(),
  /** `steps`: made from the rollback of each step done so far; `phase`: the checklist's own `rollback:`. */
  source: z.enum(["steps", "phase"]),
});
export type RollbackState = z.infer<typeof rollbackStateSchema>;

export const runSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/),
  /** Bumped by every accepted event: storage uses it to apply concurrent updates one at a time. */
  version: z.number().int().nonnegative(),
  /**
   * Bumped only when the run moves on (a step or the run changes state, ownership changes).
   * Buttons carry it: a click made on a message drawn before the run moved on is stale, while
   * a note or a reported problem in between does not make anyone's buttons stale.
   */
  progress: z.number().int().nonnegative().default(0),
  status: z.enum(RUN_STATUSES),
  /** The checklist with parameters filled in, as it was when the run was created. */
  plan: checklistSchema,
  source: z.object({ hash: z.string(), commit: z.string().optional(), file: z.string().optional() }),
  params: z.record(z.string(), z.string()),
  environment: z.string().optional(),
  channel: z.string(),
  owner: userId,
  buddy: userId.optional(),
  /** Steps reassigned during the run (step id → a person's or a user group's id). */
  assignees: z.record(z.string(), z.string()).optional(),
  dryRun: z.boolean().default(false),
  override: runOverrideSchema.optional(),
  /** The work ticket (`owner/repo#123`, `ABC-123`) and where it links to, when known. */
  ticket: z.string().optional(),
  ticketUrl: z.string().optional(),
  tracker: runTrackerSchema.optional(),
  createdAt: isoTime,
  closedAt: isoTime.optional(),
  abortReason: z.string().optional(),
  steps: z.array(stepStateSchema),
  problems: z.array(problemSchema).default([]),
  notes: z.array(noteSchema).default([]),
  /** Reminders the run scheduled, by key (run, reminder, occurrence). */
  reminders: z.record(z.string(), reminderStateSchema).default({}),
  /** What people wrote down after the run: what went wrong, what to change. */
  followUps: z.array(followUpSchema).default([]),
  /** Posts Preflight could not make after every retry (a reminder, a nudge). */
  postFailures: z.array(postFailureSchema).default([]),
  /** What stakeholders were last told of an overrun (communications.ts): throttles the updates. */
  communications: z
    .object({ overrunPostedAt: isoTime.optional(), announcedEnd: isoTime.optional() })
    .optional(),
  /** What earlier runs of the checklist in this environment say about each step, from the run's start. */
  earlier: earlierRunsSchema.optional(),
  /** Picks made at decision points, oldest first. */
  decisions: z.array(decisionRecordSchema).default([]),
  /** Pauses, oldest first; the last is open while the run is paused. */
  pauses: z.array(pauseSchema).default([]),
  /** Set once the run switched into rollback: its status becomes `rolled_back` when that finishes. */
  rollback: rollbackStateSchema.optional(),
  /** Every accepted event, in order: the run's timeline. */
  history: z.array(
    z.object({
      at: isoTime,
      by: userId,
      type: z.string(),
      stepId: z.string().optional(),
      /** The reminder a record is about. */
      key: z.string().optional(),
      detail: z.string().optional(),
      /** The run's progress after the event (absent in runs stored before it was kept). */
      progress: z.number().int().nonnegative().optional(),
    }),
  ),
});
export type Run = z.infer<typeof runSchema>;
export type Activity = Run["history"][number];

/** The author of what automated actions report. */
export const PREFLIGHT_USER = "preflight";

/**
 * The run's reminder under `key`, its own entry only: a key from outside (a button's value, a
 * form) such as "constructor" or "toString" names no reminder, not a property every object has.
 */
export function reminderOf(run: Pick<Run, "reminders">, key: string): ReminderState | undefined {
  return Object.hasOwn(run.reminders, key) ? run.reminders[key] : undefined;
}

/**
 * What a run id may look like (Preflight makes `r-<time>-<hex>`). An id from outside (a command's
 * argument, a button's value) that is not one names no run: `abc:log` would otherwise address
 * another key of a run in storage.
 */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const isRunId = (id: string): boolean => RUN_ID_PATTERN.test(id);
