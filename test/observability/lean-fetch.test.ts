import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { leanFetch } from "../../src/observability/lean-fetch.js";
import { createMetrics } from "../../src/observability/metrics.js";
import { countingFetch } from "../../src/observability/slack-fetch.js";

/** A local server answering as the test says; it records what it was sent. */
let server: http.Server;
let base: string;
let handle: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;
const received: { url: string; body: string; headers: http.IncomingHttpHeaders }[] = [];

beforeEach(async () => {
  received.length = 0;
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({ url: req.url ?? "", body, headers: req.headers });
      handle(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const json = (
  res: http.ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
};

describe("the lean fetch under the Web API client", () => {
  it("carries a Web API call and its answer as the client expects, over one kept-alive connection", async () => {
    handle = (_req, _body, res) => json(res, 200, { ok: true, channel: "C1", ts: "1.5", text: "héllo ✅" });
    const client = new WebClient("xoxb-test", {
      slackApiUrl: base,
      fetch: leanFetch(),
      retryConfig: { retries: 0 },
    });
    const first = await client.chat.postMessage({ channel: "C1", text: "Step *1* done ✅" });
    const second = await client.chat.postMessage({ channel: "C1", text: "again" });
    expect(first).toMatchObject({ ok: true, ts: "1.5", text: "héllo ✅" });
    expect(second.ok).toBe(true);
    expect(received[0]?.url).toBe("/api/chat.postMessage");
    expect(new URLSearchParams(received[0]?.body).get("text")).toBe("Step *1* done ✅");
    expect(received[0]?.headers.authorization).toBe("Bearer xoxb-test");
    expect(received[1]?.headers.connection).toBe("keep-alive");
    // A length, as fetch sends it (not chunked), counted in bytes.
    expect(received[0]?.headers["content-length"]).toBe(String(Buffer.byteLength(received[0]?.body ?? "")));
    expect(received[0]?.headers["transfer-encoding"]).toBeUndefined();
  });

  it("an ok:false answer is Slack's error, a 429 carries its Retry-After, a 500 its status", async () => {
    const client = new WebClient("xoxb-test", {
      slackApiUrl: base,
      fetch: leanFetch(),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    handle = (_req, _body, res) => json(res, 200, { ok: false, error: "channel_not_found" });
    await expect(client.chat.postMessage({ channel: "C9", text: "x" })).rejects.toMatchObject({
      data: { error: "channel_not_found" },
    });
    handle = (_req, _body, res) =>
      json(res, 429, { ok: false, error: "ratelimited" }, { "Retry-After": "7" });
    await expect(client.chat.update({ channel: "C1", ts: "1.5", text: "x" })).rejects.toMatchObject({
      code: "slack_webapi_rate_limited_error",
      retryAfter: 7,
    });
    handle = (_req, _body, res) => json(res, 503, { ok: false });
    await expect(client.chat.update({ channel: "C1", ts: "1.5", text: "x" })).rejects.toMatchObject({
      code: "slack_webapi_http_error",
      statusCode: 503,
    });
  });

  it("an answer that never comes ends with the client's timeout; a lost one and a redirect fail the call", async () => {
    const fetch = leanFetch();
    handle = () => undefined; // never answers
    await expect(
      fetch(`${base}chat.postMessage`, { method: "POST", body: "a=1", signal: AbortSignal.timeout(100) }),
    ).rejects.toMatchObject({ name: "TimeoutError" });
    handle = (_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"ok":tr');
      res.destroy();
    };
    await expect(fetch(`${base}chat.postMessage`, { method: "POST", body: "a=1" })).rejects.toThrow(
      "fetch failed",
    );
    handle = (_req, _body, res) => {
      res.writeHead(302, { location: "https://example.com/" });
      res.end();
    };
    await expect(
      fetch(`${base}chat.postMessage`, { method: "POST", body: "a=1", redirect: "error" }),
    ).rejects.toThrow("redirected (302)");
  });

  it("leaves form data (a file upload) and calls through a proxy to the platform's fetch", async () => {
    const platformCalls: string[] = [];
    const platform = (async (url: string | URL) => {
      platformCalls.push(String(url));
      return new Response('{"ok":true}');
    }) as never;
    const form = new FormData();
    form.append("file", new Blob(["# post-mortem"]), "pm.md");
    await leanFetch(platform)(`${base}upload`, { method: "POST", body: form });
    await leanFetch(platform, { HTTPS_PROXY: "http://proxy:3128" })(`${base}chat.postMessage`, {
      method: "POST",
      body: "a=1",
    });
    expect(platformCalls).toEqual([`${base}upload`, `${base}chat.postMessage`]);
    expect(received).toEqual([]);
  });

  it("the calls it carries are counted by outcome, read from the answer it already holds", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const fetch = countingFetch(metrics, leanFetch());
    handle = (req, _body, res) =>
      req.url?.endsWith("chat.update")
        ? json(res, 200, { ok: false, error: "message_not_found" })
        : json(res, 200, { ok: true, ts: "1.5" });
    const answer = await fetch(`${base}chat.postMessage`, { method: "POST", body: "a=1" });
    // The client still reads the whole answer after the counter looked at it.
    expect(await answer.json()).toEqual({ ok: true, ts: "1.5" });
    await fetch(`${base}chat.update`, { method: "POST", body: "a=1" });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const text = (await metrics.scrape()).body;
    expect(text).toContain('preflight_slack_api_calls_total{method="chat.postMessage",outcome="ok"} 1');
    expect(text).toContain(
      'preflight_slack_api_calls_total{method="chat.update",outcome="message_not_found"} 1',
    );
  });
});
