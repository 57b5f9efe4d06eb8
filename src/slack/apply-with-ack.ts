import type { WebClient } from "@slack/web-api";
import { asPreflightError, incidentId, wordsFor } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import type { RunEvent } from "../core/run/run-schema.js";
import type { RunService } from "../service/run-service.js";
import { replyPrivately } from "./reply.js";

/** Slack wants an answer within 3 s; we answer by this deadline even when Redis is slow. */
export const ACK_DEADLINE_MS = 2_000;

export interface SlackActContext {
  service: RunService;
  log: Logger;
  client: WebClient;
  ack: () => Promise<void>;
  channel: string;
  ackDeadlineMs?: number;
}

/**
 * Stores the event first (one update: a read and an atomic write) and acknowledges right after,
 * so a click Slack saw acknowledged has been recorded. If storage is slow, the deadline
 * acknowledges anyway and the outcome is reported privately when it comes.
 */
export async function actAndAck(
  ctx: SlackActContext,
  runId: string,
  event: RunEvent,
  eventId: string,
): Promise<void> {
  let acked = false;
  const ackOnce = async () => {
    if (acked) return;
    acked = true;
    await ctx.ack();
  };
  const timer = setTimeout(() => void ackOnce(), ctx.ackDeadlineMs ?? ACK_DEADLINE_MS);
  const target = { channel: ctx.channel, user: event.by };
  try {
    const { result, effectsDone } = await ctx.service.act(runId, event, eventId);
    clearTimeout(timer);
    await ackOnce();
    if (result.status === "refused")
      await replyPrivately(ctx.client, ctx.log, target, result.refusal.message);
    if (result.status === "not_found")
      await replyPrivately(ctx.client, ctx.log, target, `There is no run "${runId}" any more.`);
    if (result.status === "duplicate") ctx.log.info("duplicate delivery ignored", { runId, eventId });
    // The effects are stored with the change: the runner carries them out; nobody waits here.
    void effectsDone.catch(() => undefined);
  } catch (error) {
    clearTimeout(timer);
    await ackOnce();
    const failure = asPreflightError(error);
    const incident =
      failure.code === "bug" || failure.code === "corrupt_data" ? incidentId(new Date()) : undefined;
    ctx.log.error("could not apply an event", {
      runId,
      eventId,
      code: failure.code,
      error: failure.message,
      ...(incident ? { incident } : {}),
    });
    await replyPrivately(ctx.client, ctx.log, target, wordsFor(failure, incident));
  }
}
