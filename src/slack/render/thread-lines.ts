import type { Effect } from "../../core/run/effects.js";
import type { Run } from "../../core/run/run-schema.js";
import { findStep } from "../../core/run/step-rules.js";
import { renderActivity } from "./activity.js";
import { escapeMrkdwn, mention } from "./mrkdwn.js";

/** The line an effect puts into the run's thread (mrkdwn), or undefined when it puts none. */
export function threadLineOf(run: Run, effect: Effect): string | undefined {
  switch (effect.type) {
    case "post_activity":
      return renderActivity(effect.activity, run);
    case "request_verification": {
      const title = findStep(run, effect.stepId)?.plan.title ?? effect.stepId;
      const who =
        effect.ask.length > 0
          ? `${effect.ask.map(mention).join(", ")}, please verify it`
          : "a teammate, please verify it";
      return `🟡 *${escapeMrkdwn(title)}* is waiting for verification: ${who} (${mention(effect.completedBy)} completed it, so can't).`;
    }
    case "request_approval": {
      const title = findStep(run, effect.stepId)?.plan.title ?? effect.stepId;
      const who =
        effect.ask.length > 0
          ? `${effect.ask.map(mention).join(", ")}, please review and approve it`
          : "a teammate, please review and approve it";
      if (findStep(run, effect.stepId)?.plan.irreversible)
        return `🟠 *${escapeMrkdwn(title)}* is a point of no return and waits for approval: ${who} (${mention(effect.requestedBy)} asked for it, so can't).`;
      return `🟠 *${escapeMrkdwn(title)}* changes ${escapeMrkdwn(run.environment ?? "a protected environment")} and waits for approval: ${who} (${mention(effect.requestedBy)} asked for it, so can't).`;
    }
    default:
      return undefined;
  }
}
