import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { z } from "zod";
import { type Logger, type MessageRefs, type Metrics, noMetrics } from "../../core/ports.js";
import { RUN_ID_PATTERN, type Run, reminderOf, type ScheduledReminder } from "../../core/run/run-schema.js";
import type { MaintenanceWindow } from "../../core/window.js";
import { arrivedAt, BUSY_MESSAGE, overloaded } from "../apply-with-ack.js";
import { ACTION_IDS, type ActionName } from "../ids.js";
import { parseJsonWith } from "../json-input.js";
import { replyPrivately } from "../reply.js";
import { ackIfNotYet } from "./listener-guard.js";

/**
 * Every button click is read here once, before any listener: the button must be one Preflight
 * draws, and what it names must exist and belong to the message it was clicked on. A click that
 * fails is acknowledged, told why in one private line, and reaches no listener: nothing is written.
 * The listeners find what was checked in `context.button`.
 */

export const OLD_BUTTON = "This button belongs to an older message; use the run's current message.";
export const NOT_THIS_MESSAGE =
  "This button doesn't belong to the message it was clicked on, so nothing was done. Use the buttons on the run's own message.";
export const UNREADABLE_BUTTON =
  "That button doesn't carry a run Preflight can read (it may come from an old version). Use the buttons on the current run message.";
const noRun = (runId: string) => `There is no run "${runId}", so nothing was done.`;
const UNKNOWN_REMINDER = "Preflight no longer knows this reminder, so nothing was done. Handle it by hand.";
const UNKNOWN_WINDOW =
  "Preflight doesn't know this window here (it may have been cancelled), so nothing was done. `/maintenance reminders` lists what is pending.";

/**
 * What each button Preflight draws names, so what the click is checked against: a run (the run
 * message, its thread), a reminder, or a window. Every id has a rule (a new id without one does
 * not compile): a button that acts on a run acts only on the run of the message it was clicked on.
 */
const BUTTON_KINDS: Record<ActionName, "run" | "reminder" | "window"> = {
  startStep: "run",
  completeStep: "run",
  verifyStep: "run",
  approveStep: "run",
  approveOverride: "run",
  skipStep: "run",
  reportProblem: "run",
  addNote: "run",
  resolveProblem: "run",
  finishRun: "run",
  abortRun: "run",
  summaryFollowUp: "run",
  recordStep: "run",
  decideContinue: "run",
  decidePause: "run",
  decideRollBack: "run",
  decideAbort: "run",
  pauseRun: "run",
  resumeRun: "run",
  rollBackRun: "run",
  doneByHand: "run",
  peopleMenu: "run",
  reminderDone: "reminder",
  reminderSnoozeDay: "reminder",
  reminderSnoozeWeek: "reminder",
  reminderDeleteSnapshot: "reminder",
  startWindow: "window",
};
const KIND_OF_BUTTON = new Map<string, "run" | "reminder" | "window">(
  Object.entries(BUTTON_KINDS).map(([name, kind]) => [ACTION_IDS[name as ActionName], kind] as const),
);

const RUN_ID = z.string().regex(RUN_ID_PATTERN);
const runValue = z.looseObject({ r: RUN_ID });
const reminderValue = z.looseObject({ k: z.string().max(300), r: RUN_ID });
const windowValue = z.looseObject({ w: z.string().max(64) });

const clickSchema = z.object({
  type: z.literal("block_actions"),
  user: z.object({ id: z.string().min(1).max(64) }),
  channel: z.object({ id: z.string() }).optional(),
  container: z
    .object({
      channel_id: z.string().optional(),
      message_ts: z.string().optional(),
      thread_ts: z.string().optional(),
    })
    .optional(),
  message: z.object({ ts: z.string().optional(), thread_ts: z.string().optional() }).optional(),
  actions: z
    .array(
      z.object({
        action_id: z.string(),
        value: z.unknown().optional(),
        /** An overflow menu carries its value in the option chosen. */
        selected_option: z.object({ value: z.string() }).optional(),
      }),
    )
    .min(1),
});

/** What the middleware checked about a click, for the listener that handles it. */
export interface ButtonContext {
  actionId: string;
  user: string;
  channel: string;
  messageTs?: string;
  runId?: string;
  reminder?: ScheduledReminder;
  window?: MaintenanceWindow;
}

export interface ButtonContextDeps {
  service: {
    get(runId: string): Promise<Pick<Run, "id" | "channel" | "reminders"> | undefined>;
    /** The view at hand, when there is one: a run's existence and channel never change. */
    recent?(runId: string): Promise<Pick<Run, "id" | "channel"> | undefined>;
  };
  refs: Pick<MessageRefs, "get">;
  windows: { get(windowId: string): Promise<MaintenanceWindow | undefined> };
  log: Logger;
  /** Refused clicks are counted (`preflight_clicks_total`) with the reason below. */
  metrics?: Metrics;
}

/** Why a click was refused here, as counted: `not_found` when what it names is gone. */
export type ClickRefusal =
  | { outcome: "refused"; reason: "busy" | "unreadable_button" | "old_button" | "foreign_message" }
  | { outcome: "not_found"; reason: "run_not_found" | "unknown_reminder" | "unknown_window" };

type Checked = { ok: true; context: ButtonContext } | { ok: false; message: string; counted: ClickRefusal };

const refused = (reason: Extract<ClickRefusal, { outcome: "refused" }>["reason"]): ClickRefusal => ({
  outcome: "refused",
  reason,
});
const notFound = (reason: Extract<ClickRefusal, { outcome: "not_found" }>["reason"]): ClickRefusal => ({
  outcome: "not_found",
  reason,
});

export function buttonContext(deps: ButtonContextDeps): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const body = args.body as { type?: unknown };
    if (body.type !== "block_actions") return args.next();
    // A click on someone's Home tab names no channel: its listener checks it (events/app-home.ts).
    if ((body as { view?: { type?: unknown } }).view?.type === "home") return args.next();
    // A click that already waited too long, or comes to a saturated process, is refused before any read.
    const waited = Date.now() - (arrivedAt(args.context) ?? Date.now());
    const checked: Checked = overloaded(waited)
      ? { ok: false, message: BUSY_MESSAGE, counted: refused("busy") }
      : await checkClick(deps, args.body);
    if (checked.ok) {
      args.context.button = checked.context;
      return args.next();
    }
    await ackIfNotYet(args as { ack?: () => Promise<void> });
    (deps.metrics ?? noMetrics).click(checked.counted.outcome, checked.counted.reason);
    const click = clickSchema.safeParse(args.body);
    const channel = click.success ? (click.data.channel?.id ?? click.data.container?.channel_id) : undefined;
    if (click.success && channel)
      await replyPrivately(
        args.client as WebClient,
        deps.log,
        { channel, user: click.data.user.id },
        checked.message,
      );
    deps.log.info("a click was refused before any listener", {
      reason: checked.counted.reason,
      message: checked.message,
    });
  };
}

/** Reads a click and checks that what its button names exists and belongs to this message. */
export async function checkClick(deps: ButtonContextDeps, body: unknown): Promise<Checked> {
  const parsed = clickSchema.safeParse(body);
  if (!parsed.success)
    return { ok: false, message: UNREADABLE_BUTTON, counted: refused("unreadable_button") };
  const click = parsed.data;
  const first = click.actions[0] as {
    action_id: string;
    value?: unknown;
    selected_option?: { value: string };
  };
  const action = { ...first, value: first.value ?? first.selected_option?.value };
  const kind = KIND_OF_BUTTON.get(action.action_id);
  if (!kind) return { ok: false, message: OLD_BUTTON, counted: refused("old_button") };
  const channel = click.channel?.id ?? click.container?.channel_id;
  const messageTs = click.message?.ts ?? click.container?.message_ts;
  const threadTs = click.message?.thread_ts ?? click.container?.thread_ts;
  if (!channel) return { ok: false, message: UNREADABLE_BUTTON, counted: refused("unreadable_button") };
  const base: ButtonContext = {
    actionId: action.action_id,
    user: click.user.id,
    channel,
    ...(messageTs ? { messageTs } : {}),
  };

  if (kind === "run") {
    const value = parseJsonWith(runValue, action.value);
    if (!value) return { ok: false, message: UNREADABLE_BUTTON, counted: refused("unreadable_button") };
    const run = await (deps.service.recent ? deps.service.recent(value.r) : deps.service.get(value.r));
    if (!run) return { ok: false, message: noRun(value.r), counted: notFound("run_not_found") };
    // The run message itself, or a message in its thread (the step list, the summary), in the
    // run's channel. A click in the moment between the run message's post and its being
    // remembered can only be on that message when it comes from the run's channel.
    const ref = await deps.refs.get(value.r);
    const own = ref
      ? ref.channel === channel && (messageTs === ref.ts || threadTs === ref.ts)
      : run.channel === channel;
    if (!own) return { ok: false, message: NOT_THIS_MESSAGE, counted: refused("foreign_message") };
    return { ok: true, context: { ...base, runId: value.r } };
  }
  if (kind === "reminder") {
    const value = parseJsonWith(reminderValue, action.value);
    if (!value) return { ok: false, message: UNREADABLE_BUTTON, counted: refused("unreadable_button") };
    // The reminder's state lives on its run.
    const run = await deps.service.get(value.r);
    const state = run ? reminderOf(run, value.k) : undefined;
    if (!state) return { ok: false, message: UNKNOWN_REMINDER, counted: notFound("unknown_reminder") };
    const reminder: ScheduledReminder = { ...state, runId: value.r };
    // A reminder posted to a channel named in the checklist (#business-updates) has no id to compare.
    if (/^[CG][A-Z0-9]+$/.test(reminder.channel) && reminder.channel !== channel)
      return { ok: false, message: NOT_THIS_MESSAGE, counted: refused("foreign_message") };
    return { ok: true, context: { ...base, runId: value.r, reminder } };
  }
  const value = parseJsonWith(windowValue, action.value);
  if (!value) return { ok: false, message: UNREADABLE_BUTTON, counted: refused("unreadable_button") };
  const window = await deps.windows.get(value.w);
  if (!window || window.channel !== channel)
    return { ok: false, message: UNKNOWN_WINDOW, counted: notFound("unknown_window") };
  return { ok: true, context: { ...base, window } };
}
