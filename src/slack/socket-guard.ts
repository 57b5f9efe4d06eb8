import type { App, ReceiverEvent } from "@slack/bolt";
import type { SocketModeClient } from "@slack/socket-mode";
import { z } from "zod";
import type { Logger } from "../core/ports.js";
import type { HeldAcks } from "./held-acks.js";
import { describeShape, isRoutableRequest, isStoredEvent } from "./request-guard.js";

/**
 * Socket Mode's side of request-guard.ts. Slack's requests come as envelopes on one WebSocket,
 * and the Socket Mode client reads each before Bolt does: a frame that is not JSON is dropped
 * silently, and an `events_api` envelope without `payload.event` throws in an async listener,
 * which ends the process. Every frame is screened here first, by the same shape check the HTTP
 * path uses: what Slack would not send is logged in one line, acknowledged (a malformed envelope
 * does not become well formed when sent again, nor a too large one smaller) and reaches no listener. A message event that
 * arrives while storage is down is left unacknowledged, as the HTTP path answers it 503: Slack
 * delivers it again (`retry_attempt`) rather than Preflight losing it.
 */

/** Larger than any envelope Slack sends (a 100-block modal is well under this). */
export const MAX_ENVELOPE_BYTES = 1_000_000;

const REQUEST_TYPES: ReadonlySet<string> = new Set(["events_api", "interactive", "slash_commands"]);

const envelopeSchema = z.looseObject({
  type: z.string().max(64),
  envelope_id: z.string().min(1).max(200).optional(),
  payload: z.unknown().optional(),
  retry_attempt: z.number().int().min(0).optional(),
});

export interface SocketGuardOptions {
  log: Logger;
  /** Whether storage answers (see request-guard.ts `storageAnswers`). */
  storageAnswers?: () => Promise<boolean>;
  /** A stored event's acknowledgement waits for its listener to store it (held-acks.ts), keyed by envelope id. */
  holds?: HeldAcks;
}

/**
 * The `envelope_id` of an envelope too large to parse, read from the top level of its JSON text in
 * one pass: strings are skipped whole and nesting is counted, so an `"envelope_id"` inside the
 * payload is never taken for it. Undefined when the text is not an object naming one.
 */
export function envelopeIdOf(text: string): string | undefined {
  if (!/^\s*\{/.test(text)) return undefined;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" || c === "[") depth += 1;
    else if (c === "}" || c === "]") depth -= 1;
    else if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      if (end >= text.length) return undefined;
      if (depth === 1 && text.slice(i, end + 1) === '"envelope_id"') {
        const value = /^\s*:\s*"([^"\\]{1,200})"/.exec(text.slice(end + 1, end + 260));
        if (value) return value[1];
      }
      i = end;
    }
  }
  return undefined;
}

type FrameListener = (data: unknown, isBinary: boolean) => unknown;

/**
 * Puts the screen in front of the client's own reader (its `ws_message` listener) and returns
 * when each envelope arrived, for the receiver's `customPropertiesExtractor` (`context.arrivedAt`).
 */
export function guardSocketMessages(
  client: SocketModeClient,
  options: SocketGuardOptions,
): (envelopeId: unknown) => number | undefined {
  const readers = client.listeners("ws_message") as FrameListener[];
  client.removeAllListeners("ws_message");
  const arrivals = new Map<string, number>();
  const pass = (data: unknown, isBinary: boolean) => {
    for (const reader of readers) void Promise.resolve(reader.call(client, data, isBinary)).catch(failed);
  };
  const failed = (error: unknown) =>
    options.log.error("reading a Socket Mode message failed; it was ignored", {
      error: error instanceof Error ? error.message : String(error),
    });
  const holds = options.holds;
  if (holds) {
    // The client acknowledges an envelope by sending its id (its `ack` helper calls `send`):
    // a held one is sent once its event is stored.
    const target = client as unknown as { send(id: string, ...rest: unknown[]): Promise<void> };
    const send = target.send;
    target.send = (id, ...rest) => {
      const held = holds.pending(id);
      if (!held) return send.call(client, id, ...rest);
      // Bolt awaits its ack before it runs the listeners that store the event: the ack is sent
      // later, and Bolt goes on at once. Not stored: left unacknowledged, Slack delivers it again.
      void held
        .then((outcome) => (outcome === "stored" ? send.call(client, id, ...rest) : undefined))
        .catch((error: unknown) =>
          options.log.warn("a stored event's acknowledgement could not be sent; Slack sends it again", {
            error: error instanceof Error ? error.message : String(error),
          }),
        );
      return Promise.resolve();
    };
  }
  const acknowledge = (envelopeId: string) =>
    // `send` is how the client acknowledges (its `ack` helper calls it); TypeScript marks it private.
    (client as unknown as { send(id: string): Promise<void> }).send(envelopeId).catch((error: unknown) =>
      options.log.warn("a refused Socket Mode envelope could not be acknowledged", {
        error: error instanceof Error ? error.message : String(error),
      }),
    );

  async function screen(data: unknown, isBinary: boolean): Promise<void> {
    const arrivedAt = Date.now();
    if (isBinary || typeof data !== "string") return pass(data, isBinary);
    const bytes = Buffer.byteLength(data);
    if (bytes > MAX_ENVELOPE_BYTES) {
      // Not read, but acknowledged when it names its envelope: unacknowledged, Slack would send
      // it again and again, and it would be no smaller.
      const id = envelopeIdOf(data);
      options.log.warn("a Socket Mode message too large to read was refused", {
        reason: "too large",
        bytes,
        acknowledged: id !== undefined,
      });
      if (id !== undefined) await acknowledge(id);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      options.log.warn("a Socket Mode message that is not JSON was ignored", { bytes: data.length });
      return;
    }
    const envelope = envelopeSchema.safeParse(parsed);
    if (!envelope.success) {
      options.log.warn("a Socket Mode message of a shape Slack does not send was ignored", {
        type: describeShape(parsed),
      });
      const id = (parsed as { envelope_id?: unknown } | null)?.envelope_id;
      if (typeof id === "string" && id.length > 0 && id.length <= 200) await acknowledge(id);
      return;
    }
    const { type, envelope_id: envelopeId, payload } = envelope.data;
    if (type === "hello") return pass(data, isBinary);
    if (type === "disconnect") {
      options.log.info("Slack asked for a new socket; reconnecting", {
        reason: String(envelope.data.reason ?? "").slice(0, 60),
      });
      return pass(data, isBinary);
    }
    if (!REQUEST_TYPES.has(type) || envelopeId === undefined || !isRoutableRequest(payload)) {
      options.log.warn("a Socket Mode envelope of a shape Slack does not send was acknowledged and ignored", {
        envelope: type.slice(0, 40),
        type: describeShape(payload),
      });
      if (envelopeId !== undefined) await acknowledge(envelopeId);
      return;
    }
    if (options.storageAnswers && isStoredEvent(payload) && !(await options.storageAnswers())) {
      options.log.warn(
        "a message event arrived while storage is unavailable; left unacknowledged so Slack sends it again",
        { retryAttempt: envelope.data.retry_attempt ?? 0 },
      );
      return;
    }
    arrivals.set(envelopeId, arrivedAt);
    if (holds && isStoredEvent(payload)) void holds.hold(envelopeId, arrivedAt);
    pass(data, isBinary);
    // The client hands the envelope to Bolt synchronously; anything left is a leak, not a need.
    arrivals.delete(envelopeId);
  }

  client.on("ws_message", (data: unknown, isBinary: boolean) => {
    screen(data, isBinary).catch(failed);
  });
  return (envelopeId) => (typeof envelopeId === "string" ? arrivals.get(envelopeId) : undefined);
}

/**
 * Every request answered exactly once, in time, whatever its listener does: Bolt's HTTP receiver
 * answers an unacknowledged request after `afterMs` and refuses a second ack; its Socket Mode
 * receiver does neither, and leaves an envelope whose processing threw unacknowledged (Slack then
 * shows the person an error, or sends it again). Wraps `app.processEvent`, so it works for any
 * receiver; app.ts installs it for Socket Mode, where nothing else does this.
 */
export function acknowledgeInTime(app: App, options: { afterMs: number; log: Logger }): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent) => {
    let acked = false;
    const ack: ReceiverEvent["ack"] = async (response) => {
      if (acked) return;
      acked = true;
      await event.ack(response);
    };
    const answer = (why: string) => {
      if (acked) return;
      options.log.warn(why, { type: describeShape(event.body) });
      void ack().catch((error: unknown) =>
        options.log.warn("a request could not be acknowledged", {
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    };
    const timer = setTimeout(
      () => answer("a request nobody acknowledged in time was answered"),
      options.afterMs,
    );
    try {
      await processEvent({ ...event, ack });
    } catch (error) {
      options.log.error("a request failed before any listener; answered without acting", {
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      clearTimeout(timer);
      answer("a request no listener acknowledged was answered");
    }
  };
}
