import type { WebClient } from "@slack/web-api";
import type { Logger } from "../core/ports.js";
import type { RunEvent } from "../core/run/run-schema.js";
import type { RunService } from "../service/run-service.js";
import { replyPrivately } from "./reply.js";

/** Slack wants an answer within 3 s; we answer by this deadline even when Redis is slow. */
export const ACK_DEADLINE_MS = 2_000;

export const STORAGE_DOWN =
  "Preflight could not record that: its storage (Redis) did not answer. Nothing was applied; try again in a moment.";

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
    await effectsDone;
  } catch (error) {
    clearTimeout(timer);
    await ackOnce();
    ctx.log.error("could not apply an event", {
      runId,
      eventId,
      error: error instanceof Error ? error.message : String(error),
    });
    await replyPrivately(ctx.client, ctx.log, target, STORAGE_DOWN);
  }
}
