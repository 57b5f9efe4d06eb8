import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import { asPreflightError, incidentId, wordsFor } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import { replyPrivately } from "./reply.js";

/**
 * The one place a listener's failure ends: logged with its code (and an incident id for bugs),
 * and told to the person who asked in words they can act on ("could not save this: storage is
 * unavailable", never a stack trace and never "Redis" for a bug). The process stays up.
 */
export function listenerGuard(log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    try {
      await args.next();
    } catch (error) {
      const failure = asPreflightError(error);
      const incident =
        failure.code === "bug" || failure.code === "corrupt_data" ? incidentId(new Date()) : undefined;
      log.error("a listener failed", {
        code: failure.code,
        error: failure.message,
        ...(incident ? { incident } : {}),
      });
      const target = whoAsked(args.body);
      if (!target) return;
      await replyPrivately(args.client, log, target, wordsFor(failure, incident));
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
  const user =
    typeof b.user_id === "string" ? b.user_id : typeof b.user?.id === "string" ? b.user.id : undefined;
  const channel =
    typeof b.channel_id === "string"
      ? b.channel_id
      : typeof b.channel?.id === "string"
        ? b.channel.id
        : typeof b.container?.channel_id === "string"
          ? b.container.channel_id
          : undefined;
  return user && channel ? { user, channel } : undefined;
}
