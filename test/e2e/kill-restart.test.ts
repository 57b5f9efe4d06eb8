import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import { spawnChildBot } from "../support/child-bot.js";
import { compiledDist } from "../support/compiled-build.js";
import { isolatedRedis } from "../support/redis.js";
import { startSlackApiDouble } from "../support/slack-api-double.js";
import { blockActionPayload, sendInteraction, sendSlashCommand } from "../support/slack-requests.js";
import { promoteScheduled } from "../support/timers.js";

const CHECKLIST = `
id: kill-test
title: Kill test
summary: A reminder that comes due while no bot runs
phases:
  - id: only
    title: Only
    steps:
      - id: take-snapshot
        title: Take snapshot
      - id: change
        title: Change
reminders:
  - id: delete-snapshot
    on: step.done
    step: take-snapshot
    after: 30d
    keep_on_abort: true
    text: Delete the kill-test snapshot
`;

// The suite's build, which the killed bot runs: its compiling counts against this hook's time, not the test's.
beforeAll(() => compiledDist(), 150_000);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("kill -9", () => {
  it("a reminder scheduled by a bot killed with SIGKILL fires from the next bot, late but not lost", {
    timeout: 90_000,
  }, async () => {
    const dir = await mkdtemp(join(tmpdir(), "preflight-kill-"));
    await writeFile(join(dir, "kill-test.yaml"), CHECKLIST);
    const slack = await startSlackApiDouble();
    const redisEnv = await isolatedRedis();
    // The bot's timer queue, as the killed bot left it in Redis.
    const timers = new Queue("preflight-timers", {
      connection: redisEnv.connect(),
      prefix: `${redisEnv.prefix}bull`,
    });
    cleanups.push(
      async () => slack.close(),
      async () => redisEnv.cleanup(),
      async () => timers.close(),
    );

    const { child, url, ready, exited } = await spawnChildBot({
      slackUrl: slack.url,
      prefix: redisEnv.prefix,
      checklistsDir: dir,
    });
    // Its "Preflight is running" line, however long a busy machine takes (the test's timeout bounds it).
    await ready;

    await sendSlashCommand(url, SIGNING_SECRET, {
      command: "/maintenance",
      text: "start kill-test",
      user_id: "UALICE",
      channel_id: CHANNEL,
    });
    const runMessage = await slack.waitFor(() => slack.messages(CHANNEL)[0], 10_000);
    const done = (
      runMessage.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[]
    )
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "step_complete");
    await sendInteraction(
      url,
      SIGNING_SECRET,
      blockActionPayload({
        userId: "UALICE",
        channelId: CHANNEL,
        messageTs: runMessage.ts,
        actionId: "step_complete",
        value: done?.value ?? "",
      }),
    );
    await slack
      .waitFor(() => slack.callsTo("chat.update")[0], 10_000)
      .catch((error: unknown) => {
        throw new Error(
          `${String(error)}; told: ${JSON.stringify(slack.ephemerals().map((c) => c.args.text))}`,
        );
      });
    const scheduled = async () => (await timers.getDelayed()).filter((job) => job.name === "reminder");
    await expect.poll(async () => (await scheduled()).length).toBe(1);

    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    // The reminder comes due while no bot runs: it must fire late, not never.
    await promoteScheduled(timers, (job) => job.name === "reminder", 1);
    expect(
      slack.messages(CHANNEL).filter((m) => (m.text ?? "").includes("Delete the kill-test snapshot")),
    ).toEqual([]);

    const next: Harness = await startHarness({ checklistsDir: dir, shareWith: { slack, redisEnv } });
    cleanups.push(async () => next.stop());
    const reminder = await slack.waitFor(
      () => slack.messages(CHANNEL).find((m) => (m.text ?? "").includes("Delete the kill-test snapshot")),
      10_000,
    );
    expect(reminder.text).toBe("⏰ Reminder: Delete the kill-test snapshot");
  });
});
