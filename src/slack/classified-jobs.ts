import type { TimedJobHandler } from "../core/timed-jobs.js";
import { classifySlackError } from "./slack-errors.js";

/**
 * The timed-job handler with Slack's failures classified, so the worker can tell a rate limit
 * (wait Retry-After) and a permanent refusal (fail now, record it) from a transient failure.
 */
export function classifiedJobs(handler: TimedJobHandler): TimedJobHandler {
  const classified =
    <A extends unknown[]>(work: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await work(...args);
      } catch (error) {
        throw classifySlackError(error);
      }
    };
  return {
    reminderDue: classified(handler.reminderDue),
    nudgeDue: classified(handler.nudgeDue),
    windowDue: classified(handler.windowDue),
    ...(handler.windowCheckDue ? { windowCheckDue: classified(handler.windowCheckDue) } : {}),
    jobFailed: handler.jobFailed,
  };
}
