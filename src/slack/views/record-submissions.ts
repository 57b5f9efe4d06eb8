import type { App } from "@slack/bolt";
import { fieldProblem } from "../../core/run/recorded-values.js";
import { findStep } from "../../core/run/step-rules.js";
import { actAndAck } from "../apply-with-ack.js";
import type { SlackDeps } from "../deps.js";
import { VIEW_IDS } from "../ids.js";
import { inputText, readMetadata, viewSubmissionSchema } from "../payloads.js";
import { replyPrivately } from "../reply.js";
import { RECORD_ACTION, recordBlockId } from "./record-modal.js";

const STALE_FORM = "This form is out of date: click Done on the run again.";

/**
 * The values typed in a record modal complete the step. What the engine would refuse (a missing
 * value, a word where a number belongs) is shown in the modal, so nothing typed is lost.
 */
export function register(app: App, deps: Pick<SlackDeps, "log" | "service" | "ackDeadlineMs">): void {
  app.view(VIEW_IDS.recordValues, async ({ ack, body, client }) => {
    const parsed = viewSubmissionSchema.safeParse(body);
    const meta = parsed.success ? readMetadata(parsed.data.view.private_metadata) : undefined;
    const run = meta ? await deps.service.get(meta.r) : undefined;
    const step = run && meta?.s ? findStep(run, meta.s) : undefined;
    if (!parsed.success || !meta || !step?.plan.record) {
      await ack();
      const user = parsed.success ? parsed.data.user.id : "";
      await replyPrivately(client, deps.log, { channel: meta?.c ?? "", user }, STALE_FORM);
      return;
    }
    const values: Record<string, string> = {};
    for (const name of Object.keys(step.plan.record)) {
      const value = inputText(parsed.data.view.state.values, recordBlockId(name), RECORD_ACTION);
      if (value !== "") values[name] = value;
    }
    const errors: Record<string, string> = {};
    for (const [name, field] of Object.entries(step.plan.record)) {
      const problem = fieldProblem(field, name, values[name] ?? "");
      if (problem) errors[recordBlockId(name)] = problem;
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: "errors", errors });
      return;
    }
    const event = {
      type: "complete_step" as const,
      stepId: step.plan.id,
      values,
      by: parsed.data.user.id,
      expectedProgress: meta.v,
    };
    await actAndAck(
      { ...deps, client, ack: () => ack(), channel: meta.c },
      meta.r,
      event,
      `view.${parsed.data.view.id}`,
    );
  });
}
