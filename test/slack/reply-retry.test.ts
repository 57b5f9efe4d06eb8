import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { replyPrivately } from "../../src/slack/reply.js";
import { type SlackApiDouble, startSlackApiDouble } from "../support/slack-api-double.js";

/**
 * `replyPrivately` through Slack's failures, with a client made as Bolt makes each request's
 * (rate limits rejected): what says the reply did not land (429, a transient ok:false) is tried
 * again within a short bound; what retrying can't fix is not; the response_url is the fallback.
 */

let slack: SlackApiDouble;
let client: WebClient;
const target = { channel: "CREPLIES", user: "UBOB" };
const logged: { level: string; message: string }[] = [];
const log = {
  info: (message: string) => logged.push({ level: "info", message }),
  warn: (message: string) => logged.push({ level: "warn", message }),
  error: (message: string) => logged.push({ level: "error", message }),
};
const responded: string[] = [];
const respond = async (message: { text: string }) => {
  responded.push(message.text);
};

beforeAll(async () => {
  slack = await startSlackApiDouble();
  client = new WebClient("xoxb-test", { slackApiUrl: slack.url, rejectRateLimitedCalls: true });
});
afterAll(async () => slack.close());
beforeEach(() => {
  slack.reset();
  slack.clearFailures();
  logged.length = 0;
  responded.length = 0;
});

const shown = () => slack.ephemerals(target.channel).map((c) => String(c.args.text));

describe("replyPrivately", () => {
  it("is shown once after a 429, having waited Retry-After", async () => {
    slack.rateLimitNext("chat.postEphemeral", 1, 1);
    const started = Date.now();
    await replyPrivately(client, log, target, "Your click was not applied.");
    expect(shown()).toEqual(["Your click was not applied."]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(responded).toEqual([]);
  });

  for (const error of ["internal_error", "fatal_error", "service_unavailable", "request_timeout"])
    it(`is shown once after ok:false ${error}`, async () => {
      slack.failNext("chat.postEphemeral", error, 1);
      await replyPrivately(client, log, target, "Your click was not applied.");
      expect(shown()).toEqual(["Your click was not applied."]);
      expect(slack.callsTo("chat.postEphemeral")).toHaveLength(2);
      expect(logged.filter((l) => l.level === "error")).toEqual([]);
    });

  it("is not tried again after a refusal retrying can't fix; the response_url says it", async () => {
    slack.failAlways("chat.postEphemeral", "user_not_in_channel");
    await replyPrivately(client, log, target, "Your click was not applied.", respond);
    expect(slack.callsTo("chat.postEphemeral")).toHaveLength(1);
    expect(responded).toEqual(["Your click was not applied."]);
  });

  it("goes to the response_url when Slack asks to wait longer than the reply stays useful", async () => {
    slack.rateLimitNext("chat.postEphemeral", 60, 1);
    const started = Date.now();
    await replyPrivately(client, log, target, "Your click was not applied.", respond);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(shown()).toEqual([]);
    expect(responded).toEqual(["Your click was not applied."]);
  });

  it("gives up at the end of its bound when Slack keeps failing, and says so in the log", async () => {
    slack.failAlways("chat.postEphemeral", "internal_error");
    // A bound of 1 s (10 s in the bot): tries at 0, 250 and 750 ms, the next would be past it.
    await replyPrivately(client, log, target, "Your click was not applied.", undefined, 1_000);
    expect(slack.callsTo("chat.postEphemeral")).toHaveLength(3);
    expect(shown()).toEqual([]);
    expect(logged.filter((l) => l.level === "error").map((l) => l.message)).toEqual(["private reply failed"]);
  });
});
