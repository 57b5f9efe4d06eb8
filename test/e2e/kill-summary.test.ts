import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import { spawnChildBot } from "../support/child-bot.js";
import { compiledDist } from "../support/compiled-build.js";
import { isolatedRedis } from "../support/redis.js";
import { startSlackApiDouble } from "../support/slack-api-double.js";
import { sendSlashCommand } from "../support/slack-requests.js";

// The suite's build, which the killed bot runs: its compiling counts against this hook's time, not the test's.
beforeAll(() => compiledDist(), 150_000);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("kill -9 during the post-mortem's upload", () => {
  it("the next bot finishes it: one summary message and one Markdown file, never two", {
    timeout: 60_000,
  }, async () => {
    const slack = await startSlackApiDouble();
    const redisEnv = await isolatedRedis();
    cleanups.push(
      async () => slack.close(),
      async () => redisEnv.cleanup(),
    );
    const { child, url, ready, exited } = await spawnChildBot({
      slackUrl: slack.url,
      prefix: redisEnv.prefix,
    });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    // Its "Preflight is running" line, however long a busy machine takes (the test's timeout bounds it).
    await ready;

    const command = (text: string) =>
      sendSlashCommand(url, SIGNING_SECRET, {
        command: "/maintenance",
        text,
        user_id: "UALICE",
        channel_id: CHANNEL,
      });
    await command("start db-upgrade");
    const runMessage = await slack.waitFor(() => slack.messages(CHANNEL)[0], 10_000);
    const runId = /r-[a-z0-9]+-[0-9a-f]{4}/.exec(JSON.stringify(runMessage.blocks))?.[0];
    expect(runId).toBeDefined();

    // Slack takes the upload's completion, then the bot dies before hearing back.
    slack.delayNext("files.completeUploadExternal", 1_500);
    await command(`abort ${runId} window moved`);
    await slack.waitFor(() => slack.callsTo("files.completeUploadExternal")[0], 10_000);
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    // The dead bot's claim on the run's effects (a lease of 5 s) runs out, as it would while the next
    // bot starts on a slow day: the next bot takes the effects over then, not 5 s later.
    await redisEnv.redis.pexpire(`${redisEnv.prefix}lease:effects:${runId}`, 1);

    // Slack is still taking the dead bot's call (1.5 s): the next bot looks for its file only once
    // a call could no longer be landing (3 s here; the Web API client's 10 s timeout by default).
    const next: Harness = await startHarness({ shareWith: { slack, redisEnv }, bot: { inFlightMs: 3_000 } });
    cleanups.push(async () => next.stop());
    await expect.poll(() => next.bot.store.runsWithOutbox(), { timeout: 15_000 }).toEqual([]);
    await next.settle();
    const thread = slack.thread(CHANNEL, runMessage.ts);
    expect(thread.filter((m) => (m.files ?? []).length > 0)).toHaveLength(1);
    expect(thread.filter((m) => JSON.stringify(m.blocks ?? []).includes("window moved"))).toHaveLength(1);
    expect(slack.uploads.filter((u) => u.completed)).toHaveLength(1);
  });
});
