import type { WebClient } from "@slack/web-api";
import { asPreflightError, incidentId, wordsFor } from "../core/errors.js";
import type { StartRequest } from "../service/run-service.js";
import type { SlackDeps } from "./deps.js";
import { replyPrivately } from "./reply.js";

type Respond = (message: { response_type: "ephemeral"; text: string }) => Promise<unknown>;

/** Starts a run after the command was acknowledged; anything that goes wrong is told privately. */
export async function startRunAndReport(
  deps: Pick<SlackDeps, "log" | "service">,
  client: WebClient,
  request: StartRequest,
  respond?: Respond,
  /** Called instead of replying when the refusal is only the missing buddy (the form asks). */
  askBuddy?: () => Promise<void>,
): Promise<void> {
  const target = { channel: request.channel, user: request.owner };
  try {
    const outcome = await deps.service.startRun(request);
    if (!outcome.ok && outcome.code === "buddy_required" && askBuddy) await askBuddy();
    else if (!outcome.ok) await replyPrivately(client, deps.log, target, outcome.message, respond);
    else if (!outcome.posted)
      await replyPrivately(
        client,
        deps.log,
        target,
        `Run \`${outcome.run.id}\` is started and stored, but Slack is not answering right now: its message appears here as soon as Slack answers again.`,
        respond,
      );
  } catch (error) {
    const failure = asPreflightError(error);
    const incident = failure.code === "bug" ? incidentId(new Date()) : undefined;
    deps.log.error("starting a run failed", {
      checklist: request.checklistId,
      channel: request.channel,
      code: failure.code,
      error: failure.message,
      ...(incident ? { incident } : {}),
    });
    await replyPrivately(client, deps.log, target, wordsFor(failure, incident), respond);
  }
}
