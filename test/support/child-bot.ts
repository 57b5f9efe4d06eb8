import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { freePort } from "../../src/sandbox/redis-server.js";
import { SIGNING_SECRET } from "./bot-harness.js";
import { watchChild } from "./child-output.js";
import { compiledDist } from "./compiled-build.js";
import { redisChildEnv } from "./redis.js";

/**
 * The bot as its own process (the suite's compiled `main.js`, as `node dist/main.js` runs it), for
 * what only a real process shows: kill -9 and restarts. It gets the test's Redis (REDIS_URL) and key
 * prefix, and the Slack double. `ready` settles on its "Preflight is running" line, or fails with
 * its output when it exits first.
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
  ready: Promise<void>;
}> {
  const dist = await compiledDist();
  const port = await freePort();
  const child = spawn(process.execPath, [join(dist, "main.js")], {
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
  const { output, exited, ready } = watchChild(child);
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}/slack/events`,
    output,
    exited: exited.then(({ signal }) => signal),
    ready,
  };
}
