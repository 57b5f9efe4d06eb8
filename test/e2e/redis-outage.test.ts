import { afterEach, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis.js";

/**
 * Redis down: every request is answered within Slack's 3 s, nothing is acknowledged as done
 * that was not stored, /readyz says so, and the bot recovers without a restart.
 */

const ALICE = "UALICE";
const BOB = "UBOB";
let h: Harness;
let redis: PrivateRedis;
afterEach(async () => {
  redis.resume();
  await h.stop();
  await redis.close();
});

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const began = Date.now();
  const value = await work();
  return { value, ms: Date.now() - began };
}

describe("Redis outage", () => {
  it("a hung Redis: clicks and commands are answered within 3 s, nothing is lost, and it recovers", {
    timeout: 40_000,
  }, async () => {
    redis = await startPrivateRedis();
    h = await startHarness({ env: { REDIS_URL: redis.url } });
    await h.command("start db-upgrade", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    const done = h.button("step_complete", "check-access");
    const readyz = h.url.replace("/slack/events", "/readyz");

    redis.pause();
    // A click, a command, a thread reply and /readyz while it hangs, sent together: each waits
    // out its own Redis timeout, and no request from Slack may take longer than Slack's 3 s.
    const [click, status, reply, ready] = await Promise.all([
      timed(() => h.click(done, ALICE)),
      timed(() => h.command("status", ALICE)),
      timed(() => h.threadReply(BOB, "graphs look normal", "1796000000.000100")),
      fetch(readyz),
    ]);
    expect(ready.status).toBe(503);
    // Slack's own deadline, not a benchmark.
    expect(click.value.status).toBe(200);
    expect(click.ms).toBeLessThan(3_000);
    expect(status.value.status).toBe(200);
    expect(status.ms).toBeLessThan(3_000);
    // A thread reply can't be stored: answered so that Slack delivers it again, not 200 and lost.
    expect(reply.value.status).toBe(503);
    expect(reply.ms).toBeLessThan(3_000);
    await h.slack.waitFor(() =>
      h.ephemeralsTo(ALICE).find((t) => t.includes("could not save this: its storage is unavailable")),
    );
    await h.slack.waitFor(
      () =>
        h.ephemeralsTo(ALICE).filter((t) => t.includes("storage is unavailable")).length >= 2 || undefined,
    );

    redis.resume();
    await expect.poll(async () => (await fetch(readyz)).status, { timeout: 10_000 }).toBe(200);
    // Nothing was applied while Redis hung; clicking again now applies it, once.
    expect((await h.run()).steps[0]?.status).toBe("pending");
    await h.click(h.button("step_complete", "check-access"), ALICE);
    await expect.poll(async () => (await h.run()).steps[0]?.status).toBe("done");
    await h.settle();
    expect(
      h.logs.filter((l) => l.message === "Redis connection lost; reconnecting").length,
    ).toBeLessThanOrEqual(1);
  });

  it("a Redis restart: what was stored survives, and the bot goes on without a restart of its own", {
    timeout: 40_000,
  }, async () => {
    redis = await startPrivateRedis();
    h = await startHarness({ env: { REDIS_URL: redis.url } });
    await h.command("start db-upgrade", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await h.click(h.button("step_complete", "check-access"), ALICE);
    await h.settle();

    await redis.stop();
    const during = await timed(() => h.click(h.button("step_complete", "check-permissions"), ALICE));
    expect(during.value.status).toBe(200);
    expect(during.ms).toBeLessThan(3_000);
    await redis.start();

    await expect
      .poll(async () => (await h.run().catch(() => undefined))?.steps[0]?.status, { timeout: 10_000 })
      .toBe("done");
    await h.click(h.button("step_complete", "check-permissions"), ALICE);
    await expect.poll(async () => (await h.run()).steps[1]?.status, { timeout: 10_000 }).toBe("done");
    await h.slack.waitFor(
      () => h.threadTexts().join("\n").includes("completed *Confirm") || undefined,
      8_000,
    );
  });
});
