import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import { signSlackRequest } from "../support/slack-requests.js";

/**
 * The signature is checked once, in front of Bolt (request-guard.ts), and Bolt's receiver trusts
 * that check. So every request Bolt would take as Slack's must have been checked, whatever its
 * URL looks like: a forged, unsigned or stale request is answered 401 and starts nothing.
 */

const OWNER = "UOWNER";
let harness: Harness;
let base: string;

beforeAll(async () => {
  harness = await startHarness();
  base = harness.url.replace(/\/slack\/events$/, "");
});
afterAll(async () => {
  await harness.stopBot();
});

const commandBody = (channel: string) =>
  new URLSearchParams({
    command: "/maintenance",
    text: "start db-upgrade",
    user_id: OWNER,
    channel_id: channel,
    trigger_id: `trigger-${channel}`,
  }).toString();

/** Sent as written: `fetch` would tidy the path (`/slack/./events` → `/slack/events`) first. */
function post(path: string, body: string, headers: Record<string, string>): Promise<number> {
  const target = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path,
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const signed = (body: string, secret = SIGNING_SECRET, timestampSec?: number) => {
  const { timestamp, signature } = signSlackRequest(secret, body, timestampSec);
  return { "x-slack-request-timestamp": timestamp, "x-slack-signature": signature };
};

describe("signed requests, checked once", () => {
  const paths = [
    "/slack/events",
    "/slack/events?retry=1",
    "/slack/./events",
    "/slack/x/../events",
    "/%2E/slack/events",
  ];

  it("refuses forged, unsigned and stale requests at every URL Bolt would route, and starts nothing", async () => {
    for (const [i, path] of paths.entries()) {
      const body = commandBody(`CFORGED${i}`);
      expect(await post(path, body, {}), `unsigned ${path}`).toBe(401);
      expect(await post(path, body, signed(body, "not-the-secret")), `forged ${path}`).toBe(401);
      const stale = Math.floor(Date.now() / 1000) - 600;
      expect(await post(path, body, signed(body, SIGNING_SECRET, stale)), `stale ${path}`).toBe(401);
      // A body changed after signing.
      expect(
        await post(path, body.replace("db-upgrade", "db-upgrade%20env%3Dprod"), signed(body)),
        `altered ${path}`,
      ).toBe(401);
    }
    expect(harness.slack.callsTo("chat.postMessage")).toEqual([]);
    expect(harness.slack.callsTo("chat.postEphemeral")).toEqual([]);
  });

  it("takes a correctly signed request at the same URLs", async () => {
    for (const [i, path] of paths.slice(0, 3).entries()) {
      const body = commandBody(`CSIGNED${i}`);
      expect(await post(path, body, signed(body)), path).toBe(200);
    }
    await harness.slack.waitFor(() => harness.slack.messages("CSIGNED2").length > 0, 5_000);
    expect(harness.slack.messages("CSIGNED0").length).toBeGreaterThan(0);
  });
});
