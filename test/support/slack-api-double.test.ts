import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import { App, LogLevel as BoltLogLevel } from "@slack/bolt";
import {
  ErrorCode,
  type KnownBlock,
  type Logger,
  LogLevel,
  WebClient,
  type WebClientOptions,
} from "@slack/web-api";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type SlackApiDouble, startSlackApiDouble } from "./slack-api-double.js";
import {
  blockActionPayload,
  sendEvent,
  sendInteraction,
  sendSlashCommand,
  signSlackRequest,
  viewSubmissionPayload,
} from "./slack-requests.js";

const TOKEN = "xoxb-test-token";
const CHANNEL = "C0PREFLIGHT";

let double: SlackApiDouble;

beforeAll(async () => {
  double = await startSlackApiDouble();
});
afterEach(() => double.reset());
afterAll(() => double.close());

// The double explains refusals in response_metadata.messages, which WebClient logs as errors;
// these tests provoke refusals on purpose, so they keep the client quiet.
const silent: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

function client(options: WebClientOptions = {}): WebClient {
  return new WebClient(TOKEN, { slackApiUrl: double.url, logger: silent, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (typeof error !== "object" || error === null) throw new Error("expected the call to be rejected");
  return error as Record<string, unknown>;
}

const section = (text: string): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text } });

describe("Slack Web API double, through the real WebClient", () => {
  it("stores a post, a thread reply and an update", async () => {
    const web = client();
    const parent = await web.chat.postMessage({
      channel: CHANNEL,
      text: "Run started",
      blocks: [section("Run")],
    });
    const reply = await web.chat.postMessage({ channel: CHANNEL, thread_ts: parent.ts, text: "step 1 done" });
    await web.chat.update({ channel: CHANNEL, ts: parent.ts as string, text: "Run finished" });

    expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(reply.ts && parent.ts && reply.ts > parent.ts).toBe(true);
    expect(double.messages(CHANNEL)).toHaveLength(1);
    const stored = double.message(CHANNEL, parent.ts as string);
    expect(stored).toMatchObject({
      text: "Run finished",
      updates: 1,
      user: "UBOT",
      blocks: [section("Run")],
    });
    expect(double.thread(CHANNEL, parent.ts as string).map((m) => m.text)).toEqual(["step 1 done"]);
    expect(double.callsTo("chat.postMessage")[0]).toMatchObject({ token: TOKEN, status: 200 });
    expect(double.callsTo("chat.postMessage")[0]?.args.blocks).toEqual([section("Run")]);
  });

  it("answers chat.update on an unknown message with message_not_found", async () => {
    const error = await rejection(client().chat.update({ channel: CHANNEL, ts: "1.000001", text: "x" }));
    expect(error.data).toMatchObject({ ok: false, error: "message_not_found" });
  });

  it("failNext makes the client throw a platform error, then answers normally", async () => {
    const web = client();
    double.failNext("chat.postMessage", "channel_not_found");

    const error = await rejection(web.chat.postMessage({ channel: CHANNEL, text: "hello" }));
    expect(error.code).toBe(ErrorCode.PlatformError);
    expect(error.data).toMatchObject({ ok: false, error: "channel_not_found" });

    await web.chat.postMessage({ channel: CHANNEL, text: "hello" });
    expect(double.callsTo("chat.postMessage").map((c) => c.error)).toEqual(["channel_not_found", undefined]);
    expect(double.messages(CHANNEL)).toHaveLength(1);
  });

  it("rateLimitNext gives a RateLimitedError with retryAfter when the client rejects rate-limited calls", async () => {
    double.rateLimitNext("chat.postMessage", 7);
    const web = client({ retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });

    const error = await rejection(web.chat.postMessage({ channel: CHANNEL, text: "hi" }));
    expect(error.code).toBe(ErrorCode.RateLimitedError);
    expect(error.retryAfter).toBe(7);
    expect(double.calls[0]).toMatchObject({ method: "chat.postMessage", status: 429, error: "ratelimited" });
  });

  it("with only retries: 0, a 429 still waits Retry-After and then fails as a request error", async () => {
    double.rateLimitNext("chat.postMessage", 1);
    const web = client({ retryConfig: { retries: 0 } });
    const started = Date.now();

    const error = await rejection(web.chat.postMessage({ channel: CHANNEL, text: "hi" }));
    expect(error.code).toBe(ErrorCode.RequestError);
    expect(String(error.message)).toContain("rate limit was exceeded");
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("a default client waits Retry-After and succeeds on the retry", async () => {
    double.rateLimitNext("chat.postMessage", 1);
    const started = Date.now();

    const result = await client().chat.postMessage({ channel: CHANNEL, text: "eventually" });
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(double.callsTo("chat.postMessage").map((c) => c.status)).toEqual([429, 200]);
    expect(double.messages(CHANNEL).map((m) => m.text)).toEqual(["eventually"]);
  });

  it("enforces Slack's message block limits", async () => {
    const web = client();
    const post = (blocks: KnownBlock[]) =>
      rejection(web.chat.postMessage({ channel: CHANNEL, text: "x", blocks }));
    const button = (extra: object): KnownBlock => ({
      type: "actions",
      elements: [{ type: "button", action_id: "a", text: { type: "plain_text", text: "Go" }, ...extra }],
    });

    const tooMany = Array.from({ length: 51 }, (_, i) => section(`step ${i}`));
    expect((await post(tooMany)).data).toMatchObject({ error: "invalid_blocks" });
    expect((await post([section("x".repeat(3001))])).data).toMatchObject({ error: "invalid_blocks" });
    expect((await post([button({ value: "v".repeat(2001) })])).data).toMatchObject({
      error: "invalid_blocks",
    });
    const long = Array.from({ length: 5 }, () => section("y".repeat(2900)));
    expect((await post(long)).data).toMatchObject({ error: "msg_blocks_too_long" });
    expect((await rejection(web.chat.postMessage({ channel: CHANNEL, text: "" }))).data).toMatchObject({
      error: "no_text",
    });

    const fifty = Array.from({ length: 50 }, (_, i) => section(`step ${i}`));
    await web.chat.postMessage({ channel: CHANNEL, text: "fits", blocks: fifty });
    expect(double.messages(CHANNEL)).toHaveLength(1);
  });

  it("enforces modal limits on views.open", async () => {
    const web = client();
    const view = (title: string) => ({
      type: "modal" as const,
      title: { type: "plain_text" as const, text: title },
      blocks: [],
    });

    const error = await rejection(
      web.views.open({ trigger_id: "1.2.3", view: view("A title that is too long!") }),
    );
    expect(error.data).toMatchObject({ error: "invalid_arguments" });
    const opened = await web.views.open({ trigger_id: "1.2.3", view: view("Skip step") });
    expect(opened.view?.id).toMatch(/^V/);
  });

  it("files.uploadV2 stores the exact bytes and completes into the thread", async () => {
    const web = client();
    const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256));

    await web.files.uploadV2({
      channel_id: CHANNEL,
      thread_ts: "1700000000.000100",
      file: bytes,
      filename: "report.bin",
      title: "Run report",
      initial_comment: "Here is the report",
    });

    expect(double.uploads).toHaveLength(1);
    const upload = double.uploads[0];
    expect(upload?.content.equals(bytes)).toBe(true);
    expect(upload).toMatchObject({
      filename: "report.bin",
      length: 300,
      completed: true,
      channel: CHANNEL,
      threadTs: "1700000000.000100",
      title: "Run report",
      initialComment: "Here is the report",
    });
  });

  it("refuses to complete an upload whose bytes never arrived", async () => {
    const web = client();
    const { file_id } = await web.files.getUploadURLExternal({ filename: "a.txt", length: 3 });
    const error = await rejection(web.files.completeUploadExternal({ files: [{ id: file_id as string }] }));
    expect(error.data).toMatchObject({ error: "invalid_arguments" });
  });

  it("answers not_authed without a token and unknown_method for methods it does not know", async () => {
    const anonymous = new WebClient(undefined, { slackApiUrl: double.url, logger: silent });
    expect((await rejection(anonymous.auth.test())).data).toMatchObject({ error: "not_authed" });
    expect((await rejection(client().apiCall("pins.add", { channel: CHANNEL }))).data).toMatchObject({
      error: "unknown_method",
    });
  });

  it("delayNext answers slowly and waitFor reports what it saw on timeout", async () => {
    double.delayNext("auth.test", 200);
    const started = Date.now();
    await client().auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);

    await expect(double.waitFor(() => double.messages(CHANNEL)[0], 50)).rejects.toThrow(
      /within 50 ms.*calls so far: auth\.test/,
    );
  });

  it("endDelays lets a held call answer at once, and holds no more", async () => {
    double.delayNext("auth.test", 60_000, 2);
    const held = client().auth.test();
    await double.waitFor(() => double.callsTo("auth.test")[0]);
    double.endDelays();
    expect((await held).ok).toBe(true);
    expect((await client().auth.test()).ok).toBe(true);
  });
});

describe("signSlackRequest", () => {
  it("matches an HMAC computed independently", () => {
    const body = "command=%2Fping&text=&user_id=U1";
    const expected = createHmac("sha256", "s3cret").update(`v0:1531420618:${body}`).digest("hex");
    expect(signSlackRequest("s3cret", body, 1531420618)).toEqual({
      timestamp: "1531420618",
      signature: `v0=${expected}`,
    });
  });
});

describe("a real Bolt app against the double", () => {
  const secret = "signing-secret-for-tests";
  let app: App;
  let eventsUrl: string;
  const seen: Record<string, unknown>[] = [];

  beforeAll(async () => {
    app = new App({
      token: TOKEN,
      signingSecret: secret,
      logLevel: BoltLogLevel.ERROR,
      clientOptions: { slackApiUrl: double.url },
    });
    app.command("/ping", async ({ ack, command, client: web }) => {
      await ack();
      await web.chat.postMessage({ channel: command.channel_id, text: `pong ${command.text}` });
    });
    app.action("approve", async ({ ack, action, body }) => {
      await ack();
      seen.push({ kind: "action", value: "value" in action ? action.value : undefined, user: body.user.id });
    });
    app.view("skip_step", async ({ ack, view }) => {
      await ack();
      seen.push({ kind: "view", metadata: view.private_metadata, values: view.state.values });
    });
    app.event("app_mention", async ({ event, context }) => {
      seen.push({ kind: "event", text: event.text, retryNum: context.retryNum });
    });
    // HTTPReceiver.start resolves with the node:http server, so port 0 works.
    const server = await app.start(0);
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(() => app.stop());

  const ping = { command: "/ping", text: "hi", user_id: "U1", channel_id: "CPING" };

  it("acks a signed slash command and its message reaches the double", async () => {
    const response = await sendSlashCommand(eventsUrl, secret, ping);
    expect(response.status).toBe(200);
    const message = await double.waitFor(() => double.messages("CPING")[0]);
    expect(message.text).toBe("pong hi");
  });

  it("rejects a forged signature with 401", async () => {
    const response = await sendSlashCommand(eventsUrl, secret, ping, { signature: `v0=${"0".repeat(64)}` });
    expect(response.status).toBe(401);
  });

  it("rejects a request signed 10 minutes ago with 401", async () => {
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    const response = await sendSlashCommand(eventsUrl, secret, ping, { timestampSec: tenMinutesAgo });
    expect(response.status).toBe(401);
    expect(double.messages("CPING")).toHaveLength(0);
  });

  it("routes a block action, a view submission and a retried event built by the helpers", async () => {
    seen.length = 0;
    const action = blockActionPayload({
      userId: "U1",
      channelId: "CPING",
      messageTs: "1700000000.000100",
      actionId: "approve",
      value: "run-1:step-2:v3",
    });
    expect((await sendInteraction(eventsUrl, secret, action)).status).toBe(200);
    const values = { reason: { reason_input: { type: "plain_text_input", value: "not needed" } } };
    const submission = viewSubmissionPayload({
      userId: "U1",
      callbackId: "skip_step",
      privateMetadata: "run-1",
      values,
    });
    expect((await sendInteraction(eventsUrl, secret, submission)).status).toBe(200);
    const mention = { type: "app_mention", user: "U1", text: "<@UBOT> status", channel: "CPING", ts: "1.2" };
    expect((await sendEvent(eventsUrl, secret, mention, { retryNum: 1 })).status).toBe(200);

    await double.waitFor(() => seen.length === 3);
    expect(seen).toEqual([
      { kind: "action", value: "run-1:step-2:v3", user: "U1" },
      { kind: "view", metadata: "run-1", values },
      { kind: "event", text: "<@UBOT> status", retryNum: 1 },
    ]);
  });
});
