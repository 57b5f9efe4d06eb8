import type { IncomingMessage, ServerResponse } from "node:http";
import { HTTPModuleFunctions, type HTTPReceiver, isRawBodyError } from "@slack/bolt";
import { z } from "zod";
import { type Logger, type Metrics, noMetrics } from "../core/ports.js";
import type { HeldAcks, HeldOutcome } from "./held-acks.js";

/**
 * Bolt reads a request's envelope (who, which team, which channel) before any middleware runs,
 * and a body of another shape throws there: JSON `null` killed the process (`body.ssl_check`),
 * `"user": null` answered 500, an object of no known type was never answered. Signed requests are
 * checked here first, against the shapes Bolt dereferences; anything else is answered 400 at once
 * and reaches no listener.
 */

const record = z.looseObject({});
const person = z.looseObject({ id: z.string().min(1).max(64) });
/** What Bolt reads of every interaction: `user.id`, `team.id`, `enterprise.id`, `channel.id`. */
const interaction = {
  user: person,
  team: record.nullable().optional(),
  enterprise: record.nullable().optional(),
  channel: z.looseObject({ id: z.string().max(64) }).optional(),
  function_data: z.undefined().optional(),
  /** Bolt reads `response_urls[0].response_url` of any interaction that has a non-empty list. */
  response_urls: z.array(record).optional(),
};

const eventEnvelope = z.looseObject({
  type: z.literal("event_callback"),
  event: z.looseObject({
    type: z.string(),
    user: z.union([z.string(), person]).optional(),
    channel: z.union([z.string(), record]).optional(),
    item: record.optional(),
    subteam: record.optional(),
  }),
  authorizations: z.array(record).optional(),
});

/** A slash command is form fields: every one a single string (a repeated field arrives as a list). */
const commandEnvelope = z.record(z.string(), z.string()).refine((fields) => fields.command !== undefined);

const actionEnvelope = z.looseObject({
  ...interaction,
  type: z.literal("block_actions"),
  actions: z.array(z.looseObject({ action_id: z.string().max(255) })).min(1),
});

const viewEnvelope = z.looseObject({
  ...interaction,
  type: z.enum(["view_submission", "view_closed"]),
  view: z.looseObject({ id: z.string().optional(), callback_id: z.string().max(255) }),
});

const shortcutEnvelope = z.looseObject({
  ...interaction,
  type: z.enum(["shortcut", "message_action"]),
  callback_id: z.string().max(255),
});

/** True when Bolt can route `body` without throwing, and it is a kind of request Slack sends us. */
export function isRoutableRequest(body: unknown): boolean {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return false;
  const fields = body as Record<string, unknown>;
  if (fields.ssl_check === "1" || fields.type === "url_verification") return true;
  // Bolt tells the kinds apart by which fields exist, in this order; each must then have its shape.
  if (fields.event !== undefined) return eventEnvelope.safeParse(body).success;
  if (fields.command !== undefined) return commandEnvelope.safeParse(body).success;
  if (fields.name !== undefined) return false;
  if (fields.actions !== undefined) return actionEnvelope.safeParse(body).success;
  if (fields.type === "view_submission" || fields.type === "view_closed")
    return viewEnvelope.safeParse(body).success;
  if (fields.type === "shortcut" || fields.type === "message_action")
    return shortcutEnvelope.safeParse(body).success;
  return false;
}

/**
 * Puts the check in front of the receiver's request listener, for every request Bolt routes to
 * `path`. The body is read and its signature verified here, once: an unsigned or stale request
 * gets Bolt's 401 and never costs more than reading it, and the receiver (made with
 * `signatureVerification: false`, app.ts) reuses the buffered, verified body instead of checking
 * the same signature again (an HMAC and a timing-safe compare, ~5 % of a click's CPU).
 */
export function guardRequests(
  receiver: HTTPReceiver,
  options: {
    signingSecret: string;
    log: Logger;
    path?: string;
    /**
     * Whether storage answers. Events are acknowledged before any listener runs (Bolt answers
     * them at once), so a thread reply that arrives while Redis is down is answered 503 here
     * instead: Slack delivers it again later rather than Preflight losing it after a 200.
     */
    storageAnswers?: () => Promise<boolean>;
    /** Each refusal is counted as a refused click with its reason (`preflight_clicks_total`). */
    metrics?: Pick<Metrics, "click">;
    /** A stored event's answer waits for its listener to store it (held-acks.ts), keyed by its request. */
    holds?: HeldAcks;
  },
): void {
  const path = options.path ?? "/slack/events";
  const metrics = options.metrics ?? noMetrics;
  const next = receiver.requestListener;
  const answer = (res: ServerResponse, status: number) => {
    if (res.headersSent) return;
    res.writeHead(status);
    res.end();
  };

  async function screen(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.parseAndVerifyHTTPRequest>>;
    try {
      buffered = await HTTPModuleFunctions.parseAndVerifyHTTPRequest(
        { enabled: true, signingSecret: options.signingSecret },
        req,
      );
    } catch (error) {
      const tooLarge =
        isRawBodyError(error) && (error.type === "entity.too.large" || error.statusCode === 413);
      options.log.warn("a request to Slack's endpoint was refused", {
        reason: tooLarge ? "body too large" : "signature or timestamp not valid",
      });
      metrics.click("refused", tooLarge ? "body_too_large" : "bad_signature");
      return answer(res, tooLarge ? 413 : 401);
    }
    let body: unknown;
    try {
      body = HTTPModuleFunctions.parseHTTPRequestBody(buffered);
    } catch {
      // Not JSON: Bolt answers 400 for it; said here so both refusals read alike.
      options.log.warn("a signed request had a body that is not JSON; answered 400");
      metrics.click("refused", "not_json");
      return answer(res, 400);
    }
    if (!isRoutableRequest(body)) {
      options.log.warn("a signed request had a shape Slack does not send; answered 400", {
        type: describeShape(body),
      });
      metrics.click("refused", "unknown_shape");
      return answer(res, 400);
    }
    if (options.storageAnswers && isStoredEvent(body) && !(await options.storageAnswers())) {
      options.log.warn(
        "a message event arrived while storage is unavailable; answered 503 so Slack sends it again",
      );
      return answer(res, 503);
    }
    if (options.holds && isStoredEvent(body))
      holdAnswer(res, options.holds.hold(buffered, arrivalOf(req) ?? Date.now()));
    next(buffered, res);
  }

  receiver.requestListener = (req, res) => {
    markArrival(req);
    if (!routedToBolt(req, path)) return next(req, res);
    screen(req, res).catch((error: unknown) => {
      options.log.error("checking a request failed", {
        error: error instanceof Error ? error.message : String(error),
      });
      answer(res, 400);
    });
  };
}

/**
 * Bolt answers an event (200) before its listeners run: that answer is sent once `held` settles,
 * as Bolt made it when the event was stored, as 503 when it was not (Slack sends it again).
 */
function holdAnswer(res: ServerResponse, held: Promise<HeldOutcome>): void {
  const { writeHead, end } = res;
  let head: unknown[] | undefined;
  res.writeHead = ((...args: unknown[]) => {
    head = args;
    return res;
  }) as ServerResponse["writeHead"];
  res.end = ((...args: unknown[]) => {
    void held.then((outcome) => {
      res.writeHead = writeHead;
      res.end = end;
      if (outcome === "stored") {
        if (head) (writeHead as (...given: unknown[]) => ServerResponse).apply(res, head);
        (end as (...given: unknown[]) => ServerResponse).apply(res, args);
      } else {
        res.writeHead(503);
        res.end();
      }
    });
    return res;
  }) as ServerResponse["end"];
}

/**
 * Whether Bolt's receiver takes this request as one of Slack's: decided as the receiver decides it
 * (HTTPReceiver's `unboundRequestListener`: the same URL parser, base and comparison), so every
 * request Bolt handles was screened and verified here, whatever its URL looks like
 * (`/slack/./events`, `/slack/events?x=1`). A URL the parser refuses reaches Bolt, which refuses it
 * the same way before routing it anywhere.
 */
export function routedToBolt(req: IncomingMessage, path: string): boolean {
  if ((req.method ?? "").toUpperCase() !== "POST") return false;
  try {
    return new URL(req.url ?? "", "http://localhost").pathname === path;
  } catch {
    return false;
  }
}

/** When a request arrived, before it waited for the process: Slack's 3 s count from then. */
export function markArrival(req: IncomingMessage): void {
  const tagged = req as IncomingMessage & { preflightArrivedAt?: number };
  tagged.preflightArrivedAt ??= Date.now();
}

export function arrivalOf(req: IncomingMessage): number | undefined {
  return (req as IncomingMessage & { preflightArrivedAt?: number }).preflightArrivedAt;
}

/** Message events become a run's notes: they must be stored, so they wait for storage. */
export function isStoredEvent(body: unknown): boolean {
  const event = (body as { event?: { type?: unknown } }).event;
  return event?.type === "message";
}

export function describeShape(body: unknown): string {
  if (body === null) return "null";
  if (Array.isArray(body)) return "array";
  if (typeof body !== "object") return typeof body;
  const type = (body as { type?: unknown }).type;
  return typeof type === "string" ? type.slice(0, 40) : "object without a type";
}
