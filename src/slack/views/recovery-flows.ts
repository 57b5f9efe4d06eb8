import type { DecisionOption } from "../../core/checklist/schema.js";
import type { RunEvent } from "../../core/run/run-schema.js";
import { ACTION_IDS, type ActionId, VIEW_IDS } from "../ids.js";
import type { ModalMetadata } from "../payloads.js";
import type { ReasonModalSpec } from "./reason-modal.js";

/**
 * The buttons of decision points, pause, resume, roll back and done-by-hand: each asks for words
 * first (the reason goes into the timeline and the post-mortem), like the other reason flows.
 * The shape is reason-modals.ts's ReasonFlow (not imported from there: no import cycle).
 */
interface RecoveryFlow {
  actionId: string;
  modal: Omit<ReasonModalSpec, "context">;
  emptyError: string;
  toEvent: (meta: ModalMetadata, text: string, by: string) => RunEvent | undefined;
}

const DECISIONS: { option: DecisionOption; actionId: ActionId; callbackId: string; title: string }[] = [
  {
    option: "continue",
    actionId: ACTION_IDS.decideContinue,
    callbackId: VIEW_IDS.decideContinue,
    title: "Continue",
  },
  { option: "pause", actionId: ACTION_IDS.decidePause, callbackId: VIEW_IDS.decidePause, title: "Pause" },
  {
    option: "roll_back",
    actionId: ACTION_IDS.decideRollBack,
    callbackId: VIEW_IDS.decideRollBack,
    title: "Roll back",
  },
  { option: "abort", actionId: ACTION_IDS.decideAbort, callbackId: VIEW_IDS.decideAbort, title: "Abort" },
];

/** The button text of each decision option, for the renderer. */
export const DECISION_BUTTONS = DECISIONS.map(({ option, actionId, title }) => ({ option, actionId, title }));

const decisionFlows: RecoveryFlow[] = DECISIONS.map(({ option, actionId, callbackId, title }) => ({
  actionId,
  modal: {
    callbackId,
    title: `Decide: ${title}`,
    submit: title,
    label: `Why ${title.toLowerCase()}?`,
    placeholder: "What you saw and why: it goes into the timeline and the post-mortem",
  },
  emptyError: "Give a reason for this decision.",
  toEvent: (meta, text, by) =>
    meta.s
      ? { type: "decide", stepId: meta.s, option, reason: text, by, expectedProgress: meta.v }
      : undefined,
}));

export const RECOVERY_FLOWS: RecoveryFlow[] = [
  ...decisionFlows,
  {
    actionId: ACTION_IDS.pauseRun,
    modal: {
      callbackId: VIEW_IDS.pauseRun,
      title: "Pause run",
      submit: "Pause",
      label: "Why is the run paused?",
      placeholder: "Paused time does not count as overrun",
    },
    emptyError: "Give a reason for pausing.",
    toEvent: (meta, text, by) => ({ type: "pause_run", reason: text, by, expectedProgress: meta.v }),
  },
  {
    actionId: ACTION_IDS.resumeRun,
    modal: {
      callbackId: VIEW_IDS.resumeRun,
      title: "Resume run",
      submit: "Resume",
      label: "Why can the run go on?",
      placeholder: "It goes into the timeline",
    },
    emptyError: "Give a reason for resuming.",
    toEvent: (meta, text, by) => ({ type: "resume_run", reason: text, by, expectedProgress: meta.v }),
  },
  {
    actionId: ACTION_IDS.rollBackRun,
    modal: {
      callbackId: VIEW_IDS.rollBackRun,
      title: "Roll back run",
      submit: "Roll back",
      label: "Why roll back?",
      placeholder: "The rollback of each step done so far becomes a step, newest first",
    },
    emptyError: "Give a reason for rolling back.",
    toEvent: (meta, text, by) => ({ type: "roll_back", reason: text, by, expectedProgress: meta.v }),
  },
  {
    actionId: ACTION_IDS.doneByHand,
    modal: {
      callbackId: VIEW_IDS.doneByHand,
      title: "Done by hand",
      submit: "Done by hand",
      label: "What did you do by hand?",
      placeholder: "The commands you ran and the ids you got (e.g. id=my-snapshot); a teammate verifies",
    },
    emptyError: "Say what was done by hand.",
    toEvent: (meta, text, by) =>
      meta.s ? { type: "done_by_hand", stepId: meta.s, text, by, expectedProgress: meta.v } : undefined,
  },
];
