import { type ChildProcess, spawn } from "node:child_process";
import { freePort } from "../../src/sandbox/redis-server.js";
import { SIGNING_SECRET } from "./bot-harness.js";
import { redisChildEnv } from "./redis.js";

/**
 * The bot as its own process (`src/main.ts` through tsx), for what only a real process shows:
 * kill -9 and restarts. It gets the test's Redis (REDIS_URL) and key prefix, and the Slack double.
 */
export async function spawnChildBot(options: {
  slackUrl: string;
  prefix: string;
  checklistsDir?: string;
}): Promise<{
  child: ChildProcess;
  port: number;
  url: string;
  output: () => string;
  exited: Promise<unknown>;
}> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      PATH: process.env.PATH ?? "",
      SLACK_BOT_TOKEN: "xoxb-test",
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: options.slackUrl,
      PORT: String(port),
      ...redisChildEnv(options.prefix),
      ...(options.checklistsDir ? { CHECKLISTS_DIR: options.checklistsDir } : {}),
    },
  });
  let output = "";
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  return { child, port, url: `http://127.0.0.1:${port}/slack/events`, output: () => output, exited };
}
