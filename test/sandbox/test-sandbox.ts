import { randomUUID } from "node:crypto";
import type { SandboxOptions } from "../../src/sandbox/sandbox.js";
import { REDIS_URL } from "../support/redis.js";

/**
 * A sandbox for a test: the test Redis under a fresh prefix, and the bot's real-time waits
 * shortened (RDS polls, the redraw pacing, the thread batching) so a test waits on what happens,
 * not on intervals meant for Slack's rate limits. What the page shows is the same.
 */
export function testSandboxOptions(name: string): SandboxOptions & { redisPrefix: string } {
  return {
    redisUrl: REDIS_URL,
    redisPrefix: `preflight-test-${name}-${randomUUID().slice(0, 8)}:`,
    rdsStepMs: 100,
    actionPollMs: { first: 50, max: 200 },
    redrawIntervalMs: 50,
    threadBatchMs: 50,
  };
}
