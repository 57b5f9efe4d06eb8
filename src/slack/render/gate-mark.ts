import type { Run } from "../../core/run/run-schema.js";
import { gateOf } from "../../core/run/soak-gates.js";
import type { LocatedStep } from "../../core/run/step-rules.js";
import { escapeMrkdwn, slackDate } from "./mrkdwn.js";

/** When a step with a soak time (`not_before`) opens, for a step not started yet; else nothing. */
export function gateMark(run: Run, located: LocatedStep, now: Date): string | undefined {
  if (located.state.status !== "pending") return undefined;
  const gate = gateOf(run, located);
  if (gate.kind === "waiting_for") return `⏳ opens ${gate.wait} after "${escapeMrkdwn(gate.stepTitle)}"`;
  if (gate.kind === "opens" && gate.atMs > now.getTime())
    return `⏳ opens ${slackDate(new Date(gate.atMs).toISOString())} (soak time ${gate.wait})`;
  return undefined;
}
