import { App, HTTPReceiver } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/sandbox/redis-server.js";
import {
  createHeldAcks,
  type HeldOutcome,
  RELEASE_ACK,
  releaseAcksAfterListeners,
  storing,
} from "../../src/slack/held-acks.js";
import { guardRequests } from "../../src/slack/request-guard.js";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import { sendEvent } from "../support/slack-requests.js";

/**
 * A message event (a reply in a run's thread) is answered 200 only once its listener stored it:
 * a process killed before then leaves it unanswered, and Slack sends it again.
 */

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const SECRET = "held-acks-secret";
let stop: (() => Promise<unknown>) | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
  await h?.stop();
  h = undefined;
});

/** A bare Bolt app wired as the bot wires it, whose message listener stores when `stored` settles. */
async function appWaitingFor(store: () => Promise<void>, deadlineMs = 2_500) {
  const holds = createHeldAcks({ deadlineMs });
  const receiver = new HTTPReceiver({
    signingSecret: SECRET,
    signatureVerification: false,
    logger: {
      ...quiet,
      debug: () => {},
      setLevel: () => {},
      getLevel: () => "info",
      setName: () => {},
    } as never,
    customPropertiesExtractor: (req) => ({
      [RELEASE_ACK]: (outcome?: HeldOutcome) => holds.release(req, outcome),
    }),
  });
  guardRequests(receiver, { signingSecret: SECRET, log: quiet, holds });
  // Authorized without a Web API call: nothing here talks to Slack.
  const app = new App({
    receiver,
    authorize: async () => ({ botToken: "xoxb-test", botId: "B1", botUserId: "UBOT" }),
  });
  releaseAcksAfterListeners(app);
  app.event("message", async ({ context }) => {
    await storing(context, store);
    // Work after the event is stored (its thread line, say) does not hold the answer.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  });
  const port = await freePort();
  await receiver.start(port);
  stop = () => receiver.stop();
  return `http://127.0.0.1:${port}/slack/events`;
}

const reply = {
  type: "message",
  channel: "C1",
  user: "U1",
  text: "graphs ok",
  ts: "2.000",
  thread_ts: "1.000",
};

async function answeredWithin(response: Promise<{ status: number }>, ms: number) {
  return Promise.race([
    response.then((r) => r.status),
    new Promise((resolve) => setTimeout(() => resolve("not answered yet"), ms)),
  ]);
}

describe("a message event's acknowledgement", () => {
  it("waits until its listener stored it, and goes at once then", async () => {
    let store: () => void = () => {};
    const stored = new Promise<void>((resolve) => {
      store = resolve;
    });
    const url = await appWaitingFor(() => stored);
    const response = sendEvent(url, SECRET, reply);
    expect(await answeredWithin(response, 400)).toBe("not answered yet");
    store();
    expect(await answeredWithin(response, 1_000)).toBe(200);
  });

  it("is 503 when storing failed: Slack sends the event again", async () => {
    const url = await appWaitingFor(async () => {
      throw new Error("storage is unavailable");
    });
    expect(await answeredWithin(sendEvent(url, SECRET, reply), 1_000)).toBe(503);
  });

  it("is 503 at its deadline when storing has not ended, within Slack's 3 s", async () => {
    const url = await appWaitingFor(() => new Promise(() => {}), 600);
    const began = Date.now();
    expect(await answeredWithin(sendEvent(url, SECRET, reply), 2_500)).toBe(503);
    expect(Date.now() - began).toBeGreaterThanOrEqual(500);
  });

  it("of an event no listener stores is not held", async () => {
    const url = await appWaitingFor(() => new Promise(() => {}));
    const opened = { type: "app_home_opened", user: "U1", channel: "D1", tab: "home" };
    expect(await answeredWithin(sendEvent(url, SECRET, opened), 400)).toBe(200);
  });
});

describe("a reply in a run's thread", () => {
  it("is in the run's notes by the time Slack is answered 200", async () => {
    h = await startHarness();
    await h.command("start db-upgrade", "UALICE");
    await h.slack.waitFor(() => h?.slack.messages(CHANNEL)[0]);
    await h.settle();
    for (const n of [1, 2, 3]) {
      const response = await h.threadReply("UBOB", `reply ${n}`, `1796000000.00010${n}`);
      expect(response.status).toBe(200);
      const notes = (await h.run()).notes.map((note) => note.text);
      expect(notes).toContain(`reply ${n}`);
    }
  });
});
