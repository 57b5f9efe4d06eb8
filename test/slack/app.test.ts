import type { App } from "@slack/bolt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createSlackApp } from "../../src/slack/app.js";
import type { SlackDeps } from "../../src/slack/deps.js";
import { type SlackApiDouble, startSlackApiDouble } from "../support/slack-api-double.js";

let slack: SlackApiDouble;
let app: App;
let port: number;

beforeAll(async () => {
  slack = await startSlackApiDouble();
  const config = loadConfig({
    SLACK_BOT_TOKEN: "xoxb-t",
    SLACK_SIGNING_SECRET: "s",
    SLACK_API_URL: slack.url,
    PORT: "0",
  });
  if (!config.ok) throw new Error(config.message);
  const deps = { log: { info: () => {}, warn: () => {}, error: () => {} } } as unknown as SlackDeps;
  app = createSlackApp(config.config, deps, async () => false);
  const server = (await app.start(0)) as { address(): { port: number } };
  port = server.address().port;
});
afterAll(async () => {
  await app.stop();
  await slack.close();
});

describe("GET /healthz and /readyz", () => {
  it("/healthz says the process is alive; /readyz answers 503 while Redis does not", async () => {
    const alive = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(alive.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toBe("redis is not answering\n");
  });
});
