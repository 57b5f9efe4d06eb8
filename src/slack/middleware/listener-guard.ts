import { type AnyMiddlewareArgs, type Middleware, ReceiverMultipleAckError } from "@slack/bolt";
import { asPreflightError, incidentId, wordsFor } from "../../core/errors.js";
import type { Logger } from "../../core/ports.js";
import { replyPrivately } from "../reply.js";

type AckArgs = { ack?: (response?: unknown) => Promise<void> };

/**
 * The first global middleware, and the one place a listener's failure ends: it is logged with its
 * code (and an incident id for bugs), the request is still answered (an unanswered click shows the
 * person an error after 3 s), the person who asked is told in words they can act on ("could not
 * save this: storage is unavailable"; never a stack trace, and never "Redis" for a bug), and the
 * process lives on.
 */
export function listenerGuard(log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    try {
      await args.next();
    } catch (error) {
      const failure = asPreflightError(error);
      const incident =
        failure.code === "bug" || failure.code === "corrupt_data" ? incidentId(new Date()) : undefined;
      log.error("a listener failed; the request was answered and nothing more was done", {
        code: failure.code,
        error: failure.message,
        type: (args.body as { type?: unknown } | undefined)?.type,
        ...(incident ? { incident } : {}),
      });
      await ackIfNotYet(args as AckArgs);
      const target = whoAsked(args.body);
      if (target && args.client) await replyPrivately(args.client, log, target, wordsFor(failure, incident));
    }
  };
}

function whoAsked(body: unknown): { channel: string; user: string } | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as {
    user_id?: unknown;
    channel_id?: unknown;
    user?: { id?: unknown };
    channel?: { id?: unknown };
    container?: { channel_id?: unknown };
  };
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const user = text(b.user_id) ?? text(b.user?.id);
  const channel = text(b.channel_id) ?? text(b.channel?.id) ?? text(b.container?.channel_id);
  return user && channel ? { user, channel } : undefined;
}

/** Acknowledges a request unless a listener already did (Bolt refuses a second ack). */
export async function ackIfNotYet(args: AckArgs): Promise<void> {
  if (!args.ack) return;
  try {
    await args.ack();
  } catch (error) {
    if (!(error instanceof ReceiverMultipleAckError)) throw error;
  }
}
