import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { connectStorage } from "../../src/wiring/redis.js";
import { countSocketWrites } from "../support/redis.js";

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe("the bot's Redis connection", () => {
  it("sends the commands of one tick in one write (a burst of reminders is one system call, not 50)", async () => {
    const loaded = loadConfig({
      SLACK_BOT_TOKEN: "xoxb-test",
      SLACK_SIGNING_SECRET: "secret",
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      REDIS_PREFIX: `preflight-writes-${process.pid}:`,
    });
    if (!loaded.ok) throw new Error(loaded.message);
    const { redis, workerConnection } = await connectStorage(loaded.config, quiet);
    stop = () => {
      redis.disconnect();
      workerConnection.disconnect();
    };
    const writes = countSocketWrites(redis);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => redis.get(`preflight-writes-${process.pid}:nothing:${i}`)),
    );
    expect(answers).toEqual(Array.from({ length: 50 }, () => null));
    expect(writes()).toBeLessThanOrEqual(2);
  });
});
