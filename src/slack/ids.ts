/** Slack action and view ids (snake_case, as Slack shows them); one list, so listeners and renderers agree. */
export const ACTION_IDS = {
  startStep: "step_start",
  completeStep: "step_complete",
  verifyStep: "step_verify",
  approveStep: "step_approve",
  approveOverride: "run_approve_override",
  skipStep: "step_skip",
  reportProblem: "step_problem",
  addNote: "step_note",
  resolveProblem: "problem_resolve",
  finishRun: "run_finish",
  abortRun: "run_abort",
  reminderDone: "reminder_done",
  reminderSnoozeDay: "reminder_snooze_day",
  reminderSnoozeWeek: "reminder_snooze_week",
  startWindow: "window_start",
  reminderDeleteSnapshot: "reminder_delete_snapshot",
  summaryFollowUp: "summary_follow_up",
  /** Done on a step whose `record:` asks for values: opens a modal first. */
  recordStep: "step_record",
  decideContinue: "decide_continue",
  decidePause: "decide_pause",
  decideRollBack: "decide_roll_back",
  decideAbort: "decide_abort",
  pauseRun: "run_pause",
  resumeRun: "run_resume",
  rollBackRun: "run_roll_back",
  doneByHand: "step_done_by_hand",
  /** The run message's overflow menu: hand over, change buddy, reassign a step. */
  peopleMenu: "run_people_menu",
} as const;
export type ActionName = keyof typeof ACTION_IDS;
export type ActionId = (typeof ACTION_IDS)[ActionName];

export const VIEW_IDS = {
  skipStep: "skip_step_modal",
  reportProblem: "report_problem_modal",
  addNote: "add_note_modal",
  resolveProblem: "resolve_problem_modal",
  abortRun: "abort_run_modal",
  startParameters: "start_parameters_modal",
  deleteSnapshot: "delete_snapshot_modal",
  followUps: "follow_ups_modal",
  recordValues: "record_values_modal",
  decideContinue: "decide_continue_modal",
  decidePause: "decide_pause_modal",
  decideRollBack: "decide_roll_back_modal",
  decideAbort: "decide_abort_modal",
  pauseRun: "pause_run_modal",
  resumeRun: "resume_run_modal",
  rollBackRun: "roll_back_modal",
  doneByHand: "done_by_hand_modal",
  handOver: "hand_over_modal",
  changeBuddy: "change_buddy_modal",
  reassignStep: "reassign_step_modal",
} as const;

/** block_id / action_id of the single text input in the reason-style modals. */
export const TEXT_INPUT = { block: "text_block", action: "text_input" } as const;
