import { type AnyMiddlewareArgs, type Middleware, ReceiverMultipleAckError } from "@slack/bolt";
import type { Logger } from "../../core/ports.js";

type AckArgs = { ack?: (response?: unknown) => Promise<void> };

/**
 * The first global middleware: an unexpected error in any listener is logged, the request is still
 * answered (an unanswered click shows the person an error after 3 s), and the process lives on.
 */
export function listenerGuard(log: Logger): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    try {
      await args.next();
    } catch (error) {
      log.error("a listener failed; the request was answered and nothing more was done", {
        error: error instanceof Error ? error.message : String(error),
        type: (args.body as { type?: unknown }).type,
      });
      await ackIfNotYet(args as AckArgs);
    }
  };
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
