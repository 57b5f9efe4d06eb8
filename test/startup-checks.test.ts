import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../src/config.js";
import { freePort } from "../src/sandbox/redis-server.js";
import { checkSlackCredentials } from "../src/startup-checks.js";
import { watchChild } from "./support/child-output.js";
import { compiledDist } from "./support/compiled-build.js";
import { REDIS_URL } from "./support/redis.js";
import { type SlackApiDouble, startSlackApiDouble } from "./support/slack-api-double.js";

/** Bad configuration is caught before "Preflight is running"; shutdown ends even when Redis hangs. */

/**
 * A Slack double that refuses the wrong tokens. The tests that start a bot run at once, beside the
 * others, each with a double of its own: one test counts the calls its double was asked.
 */
async function slackDouble(): Promise<SlackApiDouble> {
  const double = await startSlackApiDouble();
  double.refuseToken("xoxb-revoked", "token_revoked");
  double.refuseToken("xoxb-wrong");
  double.refuseToken("xapp-wrong");
  doubles.push(double);
  return double;
}

let slack: SlackApiDouble;
const doubles: SlackApiDouble[] = [];
const children: ChildProcess[] = [];
// The suite's build too, so that its compiling counts against this hook's time, not a test's.
beforeAll(async () => {
  [slack] = await Promise.all([slackDouble(), compiledDist()]);
}, 150_000);
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await Promise.all(doubles.map((double) => double.close()));
});

function config(env: Record<string, string>) {
  const result = loadConfig({ SLACK_SIGNING_SECRET: "s", SLACK_API_URL: slack.url, REDIS_URL, ...env });
  if (!result.ok) throw new Error(result.message);
  return result.config;
}

/**
 * The bot in a child process of its own: as `npm start` runs it (tsx, compiling src at start), or
 * `compiled` as the image runs it (the suite's one build, test/support/compiled-build.ts), which
 * starts without compiling anything.
 */
async function startBot(env: Record<string, string>, how: "npm start" | "compiled" = "compiled") {
  const own = await slackDouble();
  const main =
    how === "npm start" ? ["--import", "tsx", "src/main.ts"] : [join(await compiledDist(), "main.js")];
  const child = spawn(process.execPath, main, {
    env: {
      PATH: process.env.PATH ?? "",
      SLACK_SIGNING_SECRET: "s",
      SLACK_API_URL: own.url,
      PORT: "0",
      REDIS_URL,
      ...env,
    },
  });
  children.push(child);
  const { output, exited, ready } = watchChild(child);
  return { child, exited: exited.then(({ code }) => code), output, ready };
}

// Concurrent: the bots in child processes start together, and beside the checks made here. The
// first two, which ask the file's double, run one after the other before the rest.
describe.concurrent("checking the Slack tokens at start", () => {
  it.sequential("accepts tokens Slack accepts", async () => {
    expect(await checkSlackCredentials(config({ SLACK_BOT_TOKEN: "xoxb-good" }))).toBeUndefined();
    expect(
      await checkSlackCredentials(config({ SLACK_BOT_TOKEN: "xoxb-good", SLACK_APP_TOKEN: "xapp-good" })),
    ).toBeUndefined();
    expect(slack.callsTo("apps.connections.open").map((call) => call.token)).toEqual(["xapp-good"]);
  });

  it.sequential("asks over the bot's own client, not the platform's fetch (undici: ~19 MiB of RSS)", async () => {
    const platform = vi.spyOn(globalThis, "fetch");
    try {
      expect(await checkSlackCredentials(config({ SLACK_BOT_TOKEN: "xoxb-good" }))).toBeUndefined();
      expect(platform).not.toHaveBeenCalled();
    } finally {
      platform.mockRestore();
    }
  });

  it.sequential("names the variable, what Slack answered and the fix", async () => {
    expect(await checkSlackCredentials(config({ SLACK_BOT_TOKEN: "xoxb-revoked" }))).toBe(
      "Preflight can't start: Slack refused SLACK_BOT_TOKEN (auth.test answered token_revoked); reinstall the app to the workspace and set the new Bot User OAuth Token as SLACK_BOT_TOKEN.",
    );
    expect(
      await checkSlackCredentials(config({ SLACK_BOT_TOKEN: "xoxb-good", SLACK_APP_TOKEN: "xapp-wrong" })),
    ).toBe(
      "Preflight can't start: Slack refused SLACK_APP_TOKEN (apps.connections.open answered invalid_auth); create an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and set it as SLACK_APP_TOKEN.",
    );
  });

  it("says when Slack can't be reached at all", async () => {
    const closed = await freePort();
    const line = await checkSlackCredentials({
      ...config({ SLACK_BOT_TOKEN: "xoxb-good" }),
      SLACK_API_URL: `http://127.0.0.1:${closed}/api/`,
    });
    expect(line).toMatch(
      new RegExp(
        `^Preflight can't start: Slack at http://127\\.0\\.0\\.1:${closed}/api/ did not answer auth\\.test for SLACK_BOT_TOKEN \\(.+\\); check the network, or SLACK_API_URL\\.$`,
      ),
    );
  });

  it("a wrong bot token: one line and exit 1, before anything says running", {
    timeout: 60_000,
  }, async () => {
    const bot = await startBot({ SLACK_BOT_TOKEN: "xoxb-wrong" }, "npm start");
    expect(await bot.exited).toBe(1);
    expect(bot.output().trim()).toBe(
      "Preflight can't start: Slack refused SLACK_BOT_TOKEN (auth.test answered invalid_auth); copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page into SLACK_BOT_TOKEN.",
    );
  });

  it("a wrong app token in Socket Mode: one line naming SLACK_APP_TOKEN, exit 1", {
    timeout: 60_000,
  }, async () => {
    const bot = await startBot({ SLACK_BOT_TOKEN: "xoxb-good", SLACK_APP_TOKEN: "xapp-wrong" });
    expect(await bot.exited).toBe(1);
    const lines = bot.output().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("Slack refused SLACK_APP_TOKEN (apps.connections.open answered invalid_auth)");
  });
});

describe.concurrent("shutdown", () => {
  let redis: ChildProcess | undefined;
  afterAll(() => {
    redis?.kill("SIGKILL");
  });

  it("ends within its deadline when Redis stops answering", { timeout: 60_000 }, async () => {
    const port = await freePort();
    redis = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"]);
    let redisOutput = "";
    redis.stdout?.on("data", (chunk) => (redisOutput += chunk));
    await expect.poll(() => redisOutput, { timeout: 10_000 }).toContain("Ready to accept connections");

    const bot = await startBot({
      SLACK_BOT_TOKEN: "xoxb-good",
      REDIS_URL: `redis://127.0.0.1:${port}`,
      CHECKLISTS_DIR: "checklists",
      SHUTDOWN_DEADLINE_MS: "1000",
    });
    await bot.ready;
    // Redis frozen, not gone: connections stay open and nothing answers, as with a hung server.
    redis.kill("SIGSTOP");
    bot.child.kill("SIGTERM");
    const code = await bot.exited;
    expect(code, `signal ${bot.child.signalCode}; it said:\n${bot.output()}`).toBe(1);
    expect(bot.output()).toContain(
      "shutdown did not finish within 1 s (Redis or Slack not answering); exiting anyway",
    );
  });
});
