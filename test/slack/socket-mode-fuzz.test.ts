import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/sandbox/redis-server.js";
import { ACTION_IDS, VIEW_IDS } from "../../src/slack/ids.js";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import { blockActionPayload, viewSubmissionPayload } from "../support/slack-requests.js";
import { type SocketModeDouble, startSocketModeDouble } from "../support/socket-mode-double.js";

/**
 * Envelopes Slack never sends, on the socket: each one that names an envelope is acknowledged
 * exactly once, none crashes the bot or logs a stack trace, and none changes the run. Seeded, so
 * a failure can be replayed.
 */

const ALICE = "UALICE";
const MALLORY = "UMALLORY";
const SEED = 20_261_202;
const MUTATIONS = 120;
const ODD: unknown[] = [null, 0, -1, true, "", "x".repeat(5_000), [], [null], {}, { id: null }, "{}"];

function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T };
}

let socket: SocketModeDouble;
let h: Harness;
let runId: string;
beforeAll(async () => {
  socket = await startSocketModeDouble();
  const port = await freePort();
  h = await startHarness({
    env: { SLACK_APP_TOKEN: "xapp-1", SLACK_API_URL: socket.url, PORT: String(port) },
  });
  socket.forwardTo = h.slack.url;
  const readyz = `http://127.0.0.1:${port}/readyz`;
  for (let i = 0; i < 100 && (await fetch(readyz)).status !== 200; i++)
    await new Promise((resolve) => setTimeout(resolve, 100));
  const command = { command: "/maintenance", text: "start db-upgrade", user_id: ALICE, channel_id: CHANNEL };
  socket.deliver("slash_commands", { ...command, team_id: "T1", trigger_id: "1.2.3" });
  await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
  await h.settle();
  runId = (await h.run()).id;
}, 20_000);
afterAll(async () => {
  await h?.stop();
  await socket?.close();
});

function bases(
  stepValue: string,
): { type: "interactive" | "slash_commands" | "events_api"; payload: object }[] {
  return [
    {
      type: "interactive",
      payload: blockActionPayload({
        userId: MALLORY,
        channelId: "CANNOUNCE",
        messageTs: "1700000000.000100",
        actionId: ACTION_IDS.completeStep,
        value: stepValue,
      }),
    },
    {
      type: "interactive",
      payload: viewSubmissionPayload({
        userId: MALLORY,
        callbackId: VIEW_IDS.abortRun,
        privateMetadata: JSON.stringify({ r: runId, c: "CANNOUNCE" }),
        values: {},
      }),
    },
    {
      type: "slash_commands",
      payload: { command: "/maintenance", text: `abort ${runId}`, user_id: MALLORY, channel_id: "CANNOUNCE" },
    },
    {
      type: "events_api",
      payload: {
        type: "event_callback",
        event_id: "Ev1",
        event: {
          type: "message",
          channel: CHANNEL,
          user: MALLORY,
          text: "<!channel>",
          ts: "1.2",
          thread_ts: "1.1",
        },
      },
    },
  ];
}

describe("Socket Mode fuzz", () => {
  it("answers every envelope once, crashes on none, changes nothing", { timeout: 30_000 }, async () => {
    const before = await h.bot.store.get(runId);
    const rng = random(SEED);
    const sent: string[] = [];
    const templates = bases(h.buttons()[0]?.value ?? "");
    for (let i = 0; i < MUTATIONS; i++) {
      const base = rng.pick(templates);
      const payload = structuredClone(base.payload) as Record<string, unknown>;
      const keys = Object.keys(payload);
      for (let n = 0; n <= Math.floor(rng.next() * 3); n++) {
        const key = rng.pick(keys);
        if (rng.next() < 0.4) delete payload[key];
        else payload[key] = rng.pick(ODD);
      }
      const id = `E-fuzz-${i}`;
      const shape = rng.next();
      if (shape < 0.1) socket.sendRaw(JSON.stringify({ envelope_id: id, type: rng.pick(ODD), payload }));
      else if (shape < 0.2)
        socket.sendRaw(JSON.stringify({ envelope_id: id, type: base.type, payload: rng.pick(ODD) }));
      else socket.deliver(base.type, payload, { envelope_id: id });
      sent.push(id);
    }
    await expect
      .poll(() => sent.filter((id) => socket.acksOf(id) === 1).length, { timeout: 15_000 })
      .toBe(MUTATIONS);
    await h.settle();
    expect(sent.filter((id) => socket.acksOf(id) > 1)).toEqual([]);
    expect(JSON.stringify(h.logs)).not.toMatch(/\n\s+at /);
    const after = await h.bot.store.get(runId);
    expect(after?.version).toBe(before?.version);
    // Still serving: a real command after the storm is answered.
    const status = socket.deliver("slash_commands", {
      command: "/maintenance",
      text: "status",
      user_id: ALICE,
      channel_id: CHANNEL,
      team_id: "T1",
    });
    await expect.poll(() => socket.acksOf(status), { timeout: 5_000 }).toBe(1);
  });
});
