import { EventEmitter } from "node:events";
import type { App, ReceiverEvent } from "@slack/bolt";
import type { SocketModeClient } from "@slack/socket-mode";
import { describe, expect, it } from "vitest";
import type { Logger } from "../../src/core/ports.js";
import {
  acknowledgeInTime,
  envelopeIdOf,
  guardSocketMessages,
  MAX_ENVELOPE_BYTES,
} from "../../src/slack/socket-guard.js";

/** The screen in front of the Socket Mode client, and the once-and-in-time ack, without a socket. */

function recorder() {
  const lines: { level: string; message: string }[] = [];
  const log: Logger = {
    info: (message) => lines.push({ level: "info", message }),
    warn: (message) => lines.push({ level: "warn", message }),
    error: (message) => lines.push({ level: "error", message }),
  };
  return { lines, log };
}

function fakeClient() {
  const client = new EventEmitter() as EventEmitter & { sent: string[]; read: string[] };
  client.sent = [];
  client.read = [];
  Object.assign(client, { send: async (id: string) => void client.sent.push(id) });
  return client;
}

const click = {
  type: "block_actions",
  user: { id: "UALICE" },
  channel: { id: "C1" },
  actions: [{ action_id: "step_complete", value: "{}" }],
};
const threadReply = {
  type: "event_callback",
  event: { type: "message", channel: "C1", user: "U1", text: "hi" },
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe("guardSocketMessages", () => {
  it("passes Slack's envelopes on, stamped with their arrival, and screens out the rest", async () => {
    const client = fakeClient();
    const { lines, log } = recorder();
    let storage = true;
    let arrivalSeen: number | undefined;
    // The client's own reader, registered before the guard (the client does so in its constructor).
    client.on("ws_message", (data: string) => {
      client.read.push(data);
      arrivalSeen = arrivalOf((JSON.parse(data) as { envelope_id?: string }).envelope_id);
    });
    const arrivalOf = guardSocketMessages(client as unknown as SocketModeClient, {
      log,
      storageAnswers: async () => storage,
    });
    const send = (value: unknown) =>
      client.emit("ws_message", typeof value === "string" ? value : JSON.stringify(value), false);

    send({ envelope_id: "E1", type: "interactive", payload: click });
    await settle();
    expect(client.read).toHaveLength(1);
    expect(arrivalSeen).toBeTypeOf("number");

    send("{not json");
    send("x".repeat(MAX_ENVELOPE_BYTES + 1));
    send({ envelope_id: "E2", type: "interactive", payload: { type: "block_actions", user: null } });
    send({ envelope_id: "E3", type: "mystery", payload: {} });
    // Too large to read, but acknowledged by its own id (not one inside its payload), so Slack
    // does not send it again.
    const filler = "x".repeat(MAX_ENVELOPE_BYTES);
    send(
      `{"payload":{"envelope_id":"E-inner","text":"${filler}"},"envelope_id":"E-big","type":"interactive"}`,
    );
    await settle();
    expect(client.read).toHaveLength(1);
    expect(client.sent).toEqual(["E2", "E3", "E-big"]);
    expect(lines.filter((l) => l.level === "warn")).toHaveLength(5);
    expect(lines.filter((l) => l.message.includes("too large"))).toHaveLength(2);

    storage = false;
    send({ envelope_id: "E4", type: "events_api", payload: threadReply });
    await settle();
    expect(client.read).toHaveLength(1);
    expect(client.sent).not.toContain("E4");
    storage = true;
    send({ envelope_id: "E4", type: "events_api", payload: threadReply, retry_attempt: 1 });
    await settle();
    expect(client.read).toHaveLength(2);
  });
});

describe("envelopeIdOf", () => {
  it("reads the envelope's own id from the top level of its text, nothing nested or merely alike", () => {
    expect(envelopeIdOf('{"type":"interactive", "envelope_id" : "E1","payload":{}}')).toBe("E1");
    expect(
      envelopeIdOf('{"payload":{"envelope_id":"inner","t":"\\"envelope_id\\":\\"x\\""}}'),
    ).toBeUndefined();
    expect(envelopeIdOf('{"type":"envelope_id","n":1}')).toBeUndefined();
    expect(envelopeIdOf('[{"envelope_id":"E1"}]')).toBeUndefined();
    expect(envelopeIdOf('{"envelope_id":"E1')).toBeUndefined();
    expect(envelopeIdOf("x".repeat(100))).toBeUndefined();
  });
});

describe("acknowledgeInTime", () => {
  function fakeApp(listener: (event: ReceiverEvent) => Promise<void>) {
    const app = { processEvent: listener } as unknown as App;
    const acks: unknown[] = [];
    const event = { body: click, ack: async (response?: unknown) => void acks.push(response ?? "ack") };
    return { app, acks, event: event as unknown as ReceiverEvent };
  }

  it("sends one ack however often a listener acks, and one when it acks never or throws", async () => {
    const { log, lines } = recorder();
    const twice = fakeApp(async (e) => {
      await e.ack();
      await e.ack();
    });
    acknowledgeInTime(twice.app, { afterMs: 1_000, log });
    await twice.app.processEvent(twice.event);
    expect(twice.acks).toHaveLength(1);

    const throws = fakeApp(async () => {
      throw new Error("listener broke");
    });
    acknowledgeInTime(throws.app, { afterMs: 1_000, log });
    await throws.app.processEvent(throws.event);
    expect(throws.acks).toHaveLength(1);
    expect(lines.some((l) => l.level === "error")).toBe(true);

    let release: () => void = () => undefined;
    const hangs = fakeApp(() => new Promise<void>((resolve) => (release = resolve)));
    acknowledgeInTime(hangs.app, { afterMs: 20, log });
    const done = hangs.app.processEvent(hangs.event);
    await expect.poll(() => hangs.acks.length).toBe(1);
    release();
    await done;
    expect(hangs.acks).toHaveLength(1);
  });
});
