import type { AnyMiddlewareArgs, App, Middleware, ReceiverEvent } from "@slack/bolt";
import type { AckKind, Logger, Metrics } from "../../core/ports.js";

/** When each request reached the app, and how long its acknowledgement took (by its body). */
const timings = new WeakMap<object, { started: number; ackSeconds?: number }>();

/**
 * Times every request from the moment the receiver hands it to the app (signature checked) to its
 * acknowledgement, by kind (command, action, view, event…). Bolt gives each middleware a copy of
 * the arguments, so the ack is wrapped where the receivers call in: `app.processEvent`. Events
 * are acknowledged by Bolt itself on receipt; they are timed the same way.
 */
export function timeAcknowledgements(app: App, metrics: Metrics): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = (event: ReceiverEvent) => {
    const timing: { started: number; ackSeconds?: number } = { started: performance.now() };
    timings.set(event.body, timing);
    const kind = kindOf(event.body);
    const ack: ReceiverEvent["ack"] = async (response) => {
      try {
        return await event.ack(response);
      } finally {
        if (timing.ackSeconds === undefined) {
          timing.ackSeconds = (performance.now() - timing.started) / 1_000;
          metrics.ack(kind, timing.ackSeconds);
        }
      }
    };
    return processEvent({ ...event, ack });
  };
}

/**
 * Before every other middleware: when the request is done, one line saying who did what where,
 * on which run (when it named one), how long until it was acknowledged and until it was done.
 */
export function requestLog(log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const timing = timings.get(args.body) ?? { started: performance.now() };
    try {
      await args.next();
    } finally {
      const runId = (args.context as { button?: { runId?: unknown } }).button?.runId;
      log.info("request handled", {
        kind: kindOf(args.body),
        ...describeRequest(args.body),
        ...(typeof runId === "string" ? { runId } : {}),
        ...(timing.ackSeconds !== undefined ? { ackMs: Math.round(timing.ackSeconds * 1_000) } : {}),
        durationMs: Math.round(performance.now() - timing.started),
      });
    }
  };
}

export function kindOf(body: unknown): AckKind {
  const b = (body ?? {}) as { type?: unknown; command?: unknown; event?: unknown };
  if (b.command !== undefined) return "command";
  if (b.event !== undefined) return "event";
  if (b.type === "block_actions" || b.type === "interactive_message") return "action";
  if (b.type === "view_submission" || b.type === "view_closed") return "view";
  if (b.type === "block_suggestion") return "options";
  return "shortcut";
}

/** Who, where and what, from the shapes request-guard.ts already checked. */
function describeRequest(body: unknown): Record<string, string> {
  const b = (body ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value.slice(0, 80) : undefined);
  const idOf = (value: unknown) => text((value as { id?: unknown } | undefined)?.id);
  const event = b.event as Record<string, unknown> | undefined;
  const action = (b.actions as { action_id?: unknown }[] | undefined)?.[0]?.action_id;
  const fields = {
    user: text(b.user_id) ?? idOf(b.user) ?? text(event?.user),
    channel: text(b.channel_id) ?? idOf(b.channel) ?? text(event?.channel),
    action:
      text(b.command) ??
      text(action) ??
      text((b.view as { callback_id?: unknown } | undefined)?.callback_id) ??
      text(event?.type),
  };
  return Object.fromEntries(Object.entries(fields).filter((entry): entry is [string, string] => !!entry[1]));
}
