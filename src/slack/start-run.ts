import type { WebClient } from "@slack/web-api";
import type { StartRequest } from "../service/run-service.js";
import type { SlackDeps } from "./deps.js";
import { replyPrivately } from "./reply.js";
import { describeSlackError } from "./slack-errors.js";

type Respond = (message: { response_type: "ephemeral"; text: string }) => Promise<unknown>;

/** Starts a run after the command was acknowledged; anything that goes wrong is told privately. */
export async function startRunAndReport(
  deps: SlackDeps,
  client: WebClient,
  request: StartRequest,
  respond?: Respond,
): Promise<void> {
  const target = { channel: request.channel, user: request.owner };
  try {
    const outcome = await deps.service.startRun(request);
    if (!outcome.ok) await replyPrivately(client, deps.log, target, outcome.message, respond);
  } catch (error) {
    const code = describeSlackError(error);
    deps.log.error("starting a run failed", {
      checklist: request.checklistId,
      channel: request.channel,
      error: code,
    });
    const text =
      code === "not_in_channel" || code === "channel_not_found"
        ? "I can't post in this channel yet: invite me with `/invite @Preflight`, then start the run again."
        : `The run could not be started (${code}). Nothing was posted; try again, and tell the bot's maintainers if it persists.`;
    await replyPrivately(client, deps.log, target, text, respond);
  }
}
