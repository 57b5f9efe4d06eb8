import { createServer } from "node:net";
import { stringify } from "node:querystring";
import { ErrorCode, WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noMetrics } from "../../src/core/ports.js";
import { countingFetch } from "../../src/observability/slack-fetch.js";
import { formBody, LeanWebClient } from "../../src/slack/lean-web-client.js";
import { type SlackApiDouble, startSlackApiDouble } from "../support/slack-api-double.js";

/**
 * The bot's client sends what the library sends and throws what the library throws, without the
 * library's per-call debug copies: each case is asked of both, against the Slack double.
 */

const TOKEN = "xoxb-lean-test";
let api: SlackApiDouble;
const debugLines: string[] = [];
const warnings: string[] = [];
const logger = {
  debug: (...parts: unknown[]) => debugLines.push(parts.map(String).join(" ")),
  info: () => {},
  warn: (...parts: unknown[]) => warnings.push(parts.map(String).join(" ")),
  error: () => {},
  setLevel: () => {},
  getLevel: () => "info" as never,
  setName: () => {},
};

beforeAll(async () => {
  api = await startSlackApiDouble();
});
afterAll(async () => {
  await api.close();
});

function clients(options: { debug?: boolean; url?: string } = {}) {
  const slackApiUrl = options.url ?? api.url;
  const lean = new LeanWebClient(TOKEN, {
    slackApiUrl,
    timeout: 2_000,
    logger,
    fetch: countingFetch(noMetrics),
    debug: options.debug ?? false,
  });
  const library = new WebClient(TOKEN, {
    slackApiUrl,
    timeout: 2_000,
    logger,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  return { lean, library };
}

async function failureOf(call: () => Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call();
  } catch (error) {
    const e = error as Record<string, unknown>;
    return {
      name: (error as Error).constructor.name,
      code: e.code,
      message: (error as Error).message,
      data: e.data,
      retryAfter: e.retryAfter,
      statusCode: e.statusCode,
      body: e.body,
    };
  }
  throw new Error("the call did not fail");
}

describe("the bot's Web API client", () => {
  it("sends the same form body as the library, blocks as JSON, and answers the same result", async () => {
    const { lean, library } = clients();
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "*Step 1* <@U1> & done" } }];
    const post = {
      channel: "CLEAN",
      text: "Step 1 & <done>",
      blocks,
      unfurl_links: false,
      thread_ts: undefined,
    };
    const byLibrary = await library.chat.postMessage(post);
    const byLean = await lean.chat.postMessage(post);
    const [first, second] = api.callsTo("chat.postMessage").slice(-2);
    expect(second?.args).toEqual(first?.args);
    expect(second?.token).toBe(TOKEN);
    expect(Object.keys(byLean).sort()).toEqual(Object.keys(byLibrary).sort());
    expect(byLean.message?.blocks).toEqual(byLibrary.message?.blocks);
    expect(byLean.channel).toBe("CLEAN");
  });

  it("encodes a form body exactly as the library's querystring.stringify does", () => {
    const args = {
      channel: "C1",
      text: 'Step 1 & 2 = done + 100% ✅ <@U1> "quoted" it\'s\nnew line ~*()!',
      blocks: [{ type: "section", text: { type: "mrkdwn", text: "é 🚀 a/b?c#d" } }],
      metadata: { event_type: "preflight_effect", event_payload: { effects: ["a.b"] } },
      unfurl_links: false,
      limit: 200,
      skipped: undefined,
      empty: null,
    };
    const { skipped: _s, empty: _e, ...defined } = args;
    expect(formBody(args)).toBe(
      stringify({ ...defined, blocks: JSON.stringify(args.blocks), metadata: JSON.stringify(args.metadata) }),
    );
  });

  it("throws the library's platform error for ok:false, rate-limit error for a 429, HTTP error for a 5xx", async () => {
    const { lean, library } = clients();
    const post = { channel: "CLEAN", text: "hello" };
    const both = async (fault: () => void) => {
      fault();
      const expected = await failureOf(() => library.chat.postMessage(post));
      fault();
      const actual = await failureOf(() => lean.chat.postMessage(post));
      return { expected, actual };
    };
    const platform = await both(() => api.failNext("chat.postMessage", "channel_not_found"));
    expect(platform.actual).toEqual(platform.expected);
    expect(platform.actual).toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: "channel_not_found" },
    });

    const limited = await both(() => api.rateLimitNext("chat.postMessage", 7));
    expect(limited.actual).toEqual(limited.expected);
    expect(limited.actual).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });

    const server = await both(() => api.serverErrorNext("chat.postMessage", 503));
    expect(server.actual).toEqual(server.expected);
    expect(server.actual).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 503 });
  });

  it("throws the library's request error when nothing answers", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const { lean, library } = clients({ url: `http://127.0.0.1:${port}/api/` });
    warnings.length = 0;
    const expected = await failureOf(() => library.auth.test());
    const actual = await failureOf(() => lean.auth.test());
    expect(actual.code).toBe(ErrorCode.RequestError);
    expect(actual.name).toBe(expected.name);
    // Both say so on the logger they were given.
    expect(warnings.filter((line) => line.startsWith("http request failed"))).toHaveLength(2);
  });

  it("leaves a call to an absolute URL to the library, which posts there", async () => {
    const { lean } = clients({ url: "http://127.0.0.1:9/api/" });
    const answer = await lean.apiCall(`${api.url}auth.test`);
    expect(answer.ok).toBe(true);
  });

  it("builds no debug line below debug level, and takes the library's path (with its lines) at debug", async () => {
    const quiet = clients().lean;
    const loud = clients({ debug: true }).lean;
    debugLines.length = 0;
    await quiet.chat.postMessage({ channel: "CLEAN", text: "quiet" });
    expect(debugLines).toEqual([]);
    await loud.chat.postMessage({ channel: "CLEAN", text: "loud" });
    expect(debugLines.some((line) => line.includes("http request body") && line.includes("loud"))).toBe(true);
    expect(debugLines.join("\n")).not.toContain(TOKEN);
  });
});
