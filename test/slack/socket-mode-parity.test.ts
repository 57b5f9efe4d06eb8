import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/sandbox/redis-server.js";
import { MAX_ENVELOPE_BYTES } from "../../src/slack/socket-guard.js";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis.js";
import { blockActionPayload, viewSubmissionPayload } from "../support/slack-requests.js";
import { type SocketModeDouble, startSocketModeDouble } from "../support/socket-mode-double.js";

/**
 * What the README promises for requests holds in Socket Mode too, over a real WebSocket: each
 * envelope acknowledged once, a redelivered click applied once, a malformed frame ignored in one
 * log line, a frame too large to read acknowledged and refused, a click during a Redis outage answered in words, a refresh survived.
 */

const ALICE = "UALICE";
let socket: SocketModeDouble | undefined;
let h: Harness | undefined;
let redis: PrivateRedis | undefined;
afterEach(async () => {
  redis?.resume();
  await h?.stop();
  await socket?.close();
  await redis?.close();
  h = undefined;
  socket = undefined;
  redis = undefined;
});

async function socketBot(env: Record<string, string> = {}) {
  socket = await startSocketModeDouble();
  const port = await freePort();
  h = await startHarness({
    env: { SLACK_APP_TOKEN: "xapp-1", SLACK_API_URL: socket.url, PORT: String(port), ...env },
    // The wait before reconnecting after a refresh (5 s by default); long enough that a loaded
    // machine does not miss a pong (the client pings every third of it).
    bot: { socketPingTimeoutMs: 2_000 },
  });
  socket.forwardTo = h.slack.url;
  const readyz = async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
  await expect.poll(readyz, { timeout: 10_000 }).toBe(200);
  return { socket, h, readyz };
}

const slashCommand = (bot: Harness, text: string, user: string) => ({
  token: "verification",
  team_id: "T1",
  team_domain: "example",
  channel_id: CHANNEL,
  channel_name: "invoicing",
  user_id: user,
  user_name: user.toLowerCase(),
  command: "/maintenance",
  text,
  api_app_id: "A1",
  is_enterprise_install: "false",
  response_url: bot.slack.responseUrl(),
  trigger_id: `trig-${randomUUID()}`,
});

async function startRun(s: SocketModeDouble, bot: Harness) {
  const envelope = s.deliver("slash_commands", slashCommand(bot, "start db-upgrade", ALICE));
  await bot.slack.waitFor(() => bot.slack.messages(CHANNEL)[0]);
  await bot.settle();
  expect(s.acksOf(envelope)).toBe(1);
}

const clickPayload = (bot: Harness, actionId: string, stepId: string) =>
  blockActionPayload({
    userId: ALICE,
    channelId: CHANNEL,
    messageTs: bot.runMessage().ts,
    actionId,
    value: bot.button(actionId, stepId).value,
  });

describe("Socket Mode parity", () => {
  it("starts a run, applies a redelivered click once, ignores malformed frames, survives a refresh", {
    timeout: 45_000,
  }, async () => {
    const { socket: s, h: bot, readyz } = await socketBot();

    // Not JSON, and an events_api envelope without an event (the client would throw on it).
    s.sendRaw("{not json at all");
    s.deliver("events_api", { type: "event_callback" }, { envelope_id: "E-no-event" });
    // Larger than the guard reads: refused in a log line, and acknowledged all the same, so Slack
    // does not send it again and again.
    const huge = s.deliver(
      "interactive",
      {
        ...blockActionPayload({
          userId: ALICE,
          channelId: CHANNEL,
          messageTs: "1700000000.000100",
          actionId: "step_complete",
          value: "{}",
        }),
        filler: "x".repeat(MAX_ENVELOPE_BYTES),
      },
      { envelope_id: "E-huge" },
    );
    await startRun(s, bot);
    expect(bot.logs.filter((l) => l.message.includes("not JSON"))).toHaveLength(1);
    expect(s.acksOf("E-no-event")).toBe(1);
    await expect.poll(() => s.acksOf(huge)).toBe(1);
    expect(bot.logs.filter((l) => l.message.includes("too large"))).toMatchObject([
      { level: "warn", context: { acknowledged: true } },
    ]);
    expect(JSON.stringify(bot.logs)).not.toMatch(/\n\s+at /);

    // Slack sends the same envelope again (its ack was late): applied once, acknowledged each time.
    const payload = clickPayload(bot, "step_complete", "check-access");
    const click = s.deliver("interactive", payload);
    s.deliver("interactive", payload, { envelope_id: click, retry_attempt: 1, retry_reason: "timeout" });
    await expect.poll(async () => (await bot.run()).steps[0]?.status).toBe("done");
    await expect.poll(() => s.acksOf(click)).toBe(2);
    await bot.settle();
    expect(bot.logs.filter((l) => l.message === "duplicate delivery ignored")).toHaveLength(1);
    expect(bot.ephemeralsTo(ALICE)).toEqual([]);

    // A form over the socket: the skip's reason modal, submitted as a view_submission envelope.
    s.deliver("interactive", clickPayload(bot, "step_skip", "check-permissions"));
    const opened = await bot.slack.waitFor(() => bot.slack.callsTo("views.open").at(-1));
    const view = opened.args.view as { callback_id: string; private_metadata: string };
    const submit = s.deliver(
      "interactive",
      viewSubmissionPayload({
        userId: ALICE,
        callbackId: view.callback_id,
        privateMetadata: view.private_metadata,
        values: { text_block: { text_input: { type: "plain_text_input", value: "checked in QA" } } },
      }),
    );
    await expect
      .poll(async () => (await bot.run()).steps.find((step) => step.id === "check-permissions")?.status)
      .toBe("skipped");
    expect(s.acksOf(submit)).toBe(1);

    // A request no listener takes (a command from another version of the manifest) is still answered.
    const retired = s.deliver("slash_commands", {
      ...slashCommand(bot, "", ALICE),
      command: "/preflight-old",
    });
    await expect.poll(() => s.acksOf(retired), { timeout: 5_000 }).toBe(1);

    // Slack asks for a new socket: not ready until the new one says hello, then requests flow again.
    s.refresh();
    await expect.poll(readyz, { timeout: 3_000 }).toBe(503);
    await expect.poll(readyz, { timeout: 20_000 }).toBe(200);
    const status = s.deliver("slash_commands", slashCommand(bot, "status", ALICE));
    await expect.poll(() => s.acksOf(status), { timeout: 5_000 }).toBe(1);
  });

  it("a reply in the run's thread is acknowledged only once it is in the run's notes", async () => {
    const { socket: s, h: bot } = await socketBot();
    await startRun(s, bot);
    for (const n of [1, 2, 3]) {
      const reply = s.deliver("events_api", {
        type: "event_callback",
        event_id: `EvReply${n}`,
        event: {
          type: "message",
          channel: CHANNEL,
          user: "UBOB",
          text: `reply ${n}`,
          ts: `1796000000.00020${n}`,
          thread_ts: bot.runMessage().ts,
        },
      });
      await expect.poll(() => s.acksOf(reply), { timeout: 3_000, interval: 1 }).toBe(1);
      expect((await bot.run()).notes.map((note) => note.text)).toContain(`reply ${n}`);
    }
  });

  it("a click while Redis hangs is acknowledged and the person told it was not saved", {
    timeout: 40_000,
  }, async () => {
    redis = await startPrivateRedis();
    const { socket: s, h: bot } = await socketBot({ REDIS_URL: redis.url });
    await startRun(s, bot);
    const payload = clickPayload(bot, "step_complete", "check-access");

    redis.pause();
    const click = s.deliver("interactive", payload);
    // With it, a thread reply, which can't be stored: left unacknowledged, so Slack delivers it again.
    const reply = s.deliver("events_api", {
      type: "event_callback",
      event_id: "Ev1",
      event: {
        type: "message",
        channel: CHANNEL,
        user: "UBOB",
        text: "graphs look normal",
        ts: "1796000000.000100",
        thread_ts: bot.runMessage().ts,
      },
    });
    // Within Slack's 3 s (its own deadline, not a benchmark).
    await expect.poll(() => s.acksOf(click), { timeout: 3_000 }).toBe(1);
    await bot.slack.waitFor(() =>
      bot.ephemeralsTo(ALICE).find((t) => t.includes("could not save this: its storage is unavailable")),
    );
    await expect
      .poll(() => bot.logs.some((l) => l.message.includes("left unacknowledged so Slack sends it again")), {
        timeout: 5_000,
      })
      .toBe(true);
    expect(s.acksOf(reply)).toBe(0);

    redis.resume();
    await bot.settle();
    expect((await bot.run()).steps[0]?.status).toBe("pending");
    expect(s.acksOf(click)).toBe(1);
  });
});
