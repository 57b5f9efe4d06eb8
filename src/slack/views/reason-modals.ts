import type { RunEvent } from "../../core/run/run-schema.js";
import { ACTION_IDS, VIEW_IDS } from "../ids.js";
import type { ModalMetadata } from "../payloads.js";
import type { ReasonModalSpec } from "./reason-modal.js";
import { RECOVERY_FLOWS } from "./recovery-flows.js";

/**
 * Each button that asks for words first: its modal, and the event its submission becomes. Every
 * submission carries the run's progress the button was drawn with (`expectedProgress`): a skip,
 * a resolution or an abort made on a run that moved on since is refused like a stale click. A
 * note or a problem is about what the person saw: the engine takes it unless the step it names
 * moved on since (apply-event.ts, `staleness`).
 */
export interface ReasonFlow {
  actionId: string;
  modal: Omit<ReasonModalSpec, "context">;
  /** What is missing when the box is left empty. */
  emptyError: string;
  toEvent: (meta: ModalMetadata, text: string, by: string) => RunEvent | undefined;
}

export const REASON_FLOWS: ReasonFlow[] = [
  {
    actionId: ACTION_IDS.skipStep,
    modal: {
      callbackId: VIEW_IDS.skipStep,
      title: "Skip step",
      submit: "Skip step",
      label: "Why is this step skipped?",
      placeholder: "It goes into the timeline and the post-mortem",
    },
    emptyError: "Give a reason for skipping: it goes into the post-mortem.",
    toEvent: (meta, text, by) =>
      meta.s ? { type: "skip_step", stepId: meta.s, reason: text, by, expectedProgress: meta.v } : undefined,
  },
  {
    actionId: ACTION_IDS.reportProblem,
    modal: {
      callbackId: VIEW_IDS.reportProblem,
      title: "Report a problem",
      submit: "Report",
      label: "What went wrong?",
      placeholder: "What happened, what you see, what you tried",
    },
    emptyError: "Describe the problem.",
    toEvent: (meta, text, by) => ({
      type: "report_problem",
      text,
      by,
      expectedProgress: meta.v,
      ...(meta.s ? { stepId: meta.s } : {}),
    }),
  },
  {
    actionId: ACTION_IDS.addNote,
    modal: {
      callbackId: VIEW_IDS.addNote,
      title: "Add a note",
      submit: "Add note",
      label: "Note",
      placeholder: "Anything worth keeping in the timeline",
    },
    emptyError: "A note needs some text.",
    toEvent: (meta, text, by) => ({
      type: "add_note",
      text,
      source: "button",
      by,
      expectedProgress: meta.v,
      ...(meta.s ? { stepId: meta.s } : {}),
    }),
  },
  {
    actionId: ACTION_IDS.resolveProblem,
    modal: {
      callbackId: VIEW_IDS.resolveProblem,
      title: "Resolve problem",
      submit: "Resolve",
      label: "How was it resolved?",
      placeholder: "What fixed it, or why it doesn't matter",
    },
    emptyError: "Say how the problem was resolved.",
    toEvent: (meta, text, by) =>
      meta.p
        ? { type: "resolve_problem", problemId: meta.p, resolution: text, by, expectedProgress: meta.v }
        : undefined,
  },
  {
    actionId: ACTION_IDS.abortRun,
    modal: {
      callbackId: VIEW_IDS.abortRun,
      title: "Abort run",
      submit: "Abort run",
      label: "Why is the run aborted?",
      placeholder: "It goes into the post-mortem",
    },
    emptyError: "Give a reason for aborting.",
    toEvent: (meta, text, by) => ({ type: "abort", reason: text, by, expectedProgress: meta.v }),
  },
  ...RECOVERY_FLOWS,
];
