import type { WebClient } from "@slack/web-api";
import { asPreflightError, incidentId, wordsFor } from "../core/errors.js";
import type { Logger } from "../core/ports.js";
import type { RunEvent } from "../core/run/run-schema.js";
import { loopUtilization, noteRequest } from "../observability/loop-load.js";
import type { RunService } from "../service/run-service.js";
import { replyPrivately } from "./reply.js";

/** Slack wants an answer within 3 s; we answer by this deadline even when Redis is slow. */
export const ACK_DEADLINE_MS = 2_000;
/** A request that already waited this long in the process is refused at once (overload). */
export const BUSY_AFTER_MS = 1_500;
/** Commits in flight in this process beyond which new clicks are refused at once. */
export const MAX_IN_FLIGHT = 256;
/**
 * A saturated process: this many commits in flight while the event loop spent at least
 * SATURATED_UTILIZATION of the last quarter second working. New clicks are refused then, before
 * the queue grows past Slack's 3 s (a busy loop alone, or a few clicks alone, is not overload).
 */
export const SATURATED_IN_FLIGHT = 16;
export const SATURATED_UTILIZATION = 0.95;

export const BUSY_MESSAGE =
  "Preflight is busy right now, so your click was not applied. Nothing changed: click again in a few seconds.";

let inFlight = 0;

/** Whether a click that waited `waitedMs` in this process is refused as "busy" instead of applied. */
export function overloaded(waitedMs: number): boolean {
  noteRequest();
  return (
    waitedMs >= BUSY_AFTER_MS ||
    inFlight >= MAX_IN_FLIGHT ||
    (inFlight >= SATURATED_IN_FLIGHT && loopUtilization() >= SATURATED_UTILIZATION)
  );
}

/** When the request reached the process (`context.arrivedAt`, set by the HTTP receiver). */
export function arrivedAt(context: Record<string, unknown>): number | undefined {
  const value = context.arrivedAt;
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export interface SlackActContext {
  service: RunService;
  log: Logger;
  client: WebClient;
  ack: () => Promise<void>;
  channel: string;
  ackDeadlineMs?: number;
  /** When the request arrived (ms since epoch); the deadline counts from it. */
  arrivedAt?: number;
}

/**
 * Stores the event first (one update: a read and an atomic write) and acknowledges right after,
 * so a click Slack saw acknowledged has been recorded. If storage is slow, the deadline
 * acknowledges anyway and the outcome is reported privately when it comes. The deadline counts
 * from the request's arrival; a request that waited too long already, or one that comes while
 * too many commits are in flight, is acknowledged at once and refused in words (never dropped).
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
  const target = { channel: ctx.channel, user: event.by };
  const arrived = ctx.arrivedAt ?? Date.now();
  const waited = Date.now() - arrived;
  if (overloaded(waited)) {
    await ackOnce();
    ctx.log.warn("a click was refused: the process is overloaded", {
      runId,
      eventId,
      waitedMs: waited,
      inFlight,
    });
    await replyPrivately(ctx.client, ctx.log, target, BUSY_MESSAGE);
    return;
  }
  const deadline = Math.max(0, (ctx.ackDeadlineMs ?? ACK_DEADLINE_MS) - waited);
  const timer = setTimeout(() => void ackOnce(), deadline);
  inFlight += 1;
  try {
    const { result, effectsDone } = await ctx.service.act(runId, event, eventId).finally(() => {
      inFlight -= 1;
    });
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
