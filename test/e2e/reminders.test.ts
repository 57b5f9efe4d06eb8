import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Job } from "bullmq";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import type { StoredMessage } from "../support/slack-api-double.js";
import { blockActionPayload, sendInteraction } from "../support/slack-requests.js";
import { fireEverythingScheduled, promoteScheduled, promoteWhenScheduled } from "../support/timers.js";

/**
 * Reminders and nudges due as a real checklist has them; tests make a job due at once
 * (test/support/timers.ts) rather than wait for it, so nothing fires before a test is ready.
 */
const CHECKLIST = `
id: quick-reminders
title: Quick reminders
summary: Reminders for tests
parameters:
  snapshot: { type: string, default: "snap-{{date}}" }
phases:
  - id: only
    title: Only
    steps:
      - id: take-snapshot
        title: Take snapshot {{snapshot}}
        duration: 5m
      - id: change
        title: Apply the change
reminders:
  - id: delete-snapshot
    on: step.done
    step: take-snapshot
    after: 30d
    keep_on_abort: true
    text: Delete snapshot {{snapshot}}
  - id: tell-business
    on: run.finished
    after: 1h
    channel: "#business"
    text: Tell the business it is done
  - id: check-graphs
    on: run.started
    after: 1d
    text: Check the graphs
`;

const ALICE = "UALICE";
let dir: string;
const harnesses: Harness[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "preflight-reminders-"));
  await writeFile(join(dir, "quick-reminders.yaml"), CHECKLIST);
});
afterEach(async () => {
  // Later harnesses share the first one's Slack double and Redis: stop them first.
  for (const h of harnesses.reverse()) await h.stop();
  harnesses.length = 0;
});

async function harness(shareWith?: Harness): Promise<Harness> {
  const h = await startHarness({ checklistsDir: dir, ...(shareWith ? { shareWith } : {}) });
  harnesses.push(h);
  return h;
}

async function startRun(h: Harness) {
  await h.command("start quick-reminders", ALICE);
  await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
  await h.settle();
}

/** Makes the reminder `reminderId` of the test's run due now, once it is scheduled. */
async function dueNow(h: Harness, reminderId: string) {
  await promoteWhenScheduled(h.bot.timers.queue, `${(await h.run()).id}.${reminderId}.0`);
}

const reminderMessages = (h: Harness, channel = CHANNEL, text = "Delete snapshot") =>
  h.slack.messages(channel).filter((m) => (m.text ?? "").includes(text));

function clickOn(h: Harness, message: StoredMessage, actionId: string, user: string) {
  const blocks = (message.blocks ?? []) as {
    type: string;
    elements?: { action_id?: string; value?: string }[];
  }[];
  const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
  if (!button?.value) throw new Error(`no ${actionId} on the message`);
  return sendInteraction(h.url, "test-signing-secret", {
    ...blockActionPayload({
      userId: user,
      channelId: message.channel,
      messageTs: message.ts,
      actionId,
      value: button.value,
    }),
    message: { ts: message.ts, text: message.text },
  });
}

describe("checklist reminders", () => {
  it("fire when their step is done, in the run's channel, with Done recorded on the run once", async () => {
    const h = await harness();
    await startRun(h);
    await h.click(h.button("step_complete", "take-snapshot"), ALICE);
    await dueNow(h, "delete-snapshot");
    // A copy as first posted: the double updates its stored message in place.
    const reminder = structuredClone(await h.slack.waitFor(() => reminderMessages(h)[0]));
    expect(reminder.text).toMatch(/^⏰ Reminder: Delete snapshot snap-\d{4}-\d{2}-\d{2}$/);
    expect(JSON.stringify(reminder.blocks)).toContain("Snooze 1 week");

    await clickOn(h, reminder, "reminder_done", "UBOB");
    await expect
      .poll(() => JSON.stringify(h.slack.message(CHANNEL, reminder.ts)?.blocks))
      .toContain("✅ Done: <@UBOB>");
    expect(JSON.stringify(h.slack.message(CHANNEL, reminder.ts)?.blocks)).not.toContain(
      "reminder_snooze_day",
    );
    await clickOn(h, reminder, "reminder_snooze_day", "UCAROL");
    expect(await h.slack.waitFor(() => h.ephemeralsTo("UCAROL")[0])).toMatch(
      /^<@UBOB> already marked this reminder done \(\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\)\.$/,
    );
    const run = await h.run();
    const key = `${run.id}.delete-snapshot.0`;
    expect(run.reminders[key]).toMatchObject({
      posted: { channel: CHANNEL, ts: reminder.ts },
      handled: { by: "UBOB", outcome: "done" },
    });
    // The post's record says done (written by the commit that recorded it): a retry posts nothing.
    const record = await h.redisEnv.redis.hget(
      `${h.redisEnv.prefix}run:${run.id}:effects`,
      `reminder.${key}`,
    );
    expect(JSON.parse(record ?? "{}")).toMatchObject({ status: "done", ts: reminder.ts, channel: CHANNEL });
    await expect
      .poll(() => h.threadTexts().join("\n"))
      .toContain("⏰ Reminder done by <@UBOB>: Delete snapshot snap-");
  });

  it("snooze schedules the next occurrence once, and /maintenance reminders lists it", async () => {
    const h = await harness();
    await startRun(h);
    await h.click(h.button("step_complete", "take-snapshot"), ALICE);
    await dueNow(h, "delete-snapshot");
    const reminder = await h.slack.waitFor(() => reminderMessages(h)[0]);
    await Promise.all([
      clickOn(h, reminder, "reminder_snooze_week", "UBOB"),
      clickOn(h, reminder, "reminder_snooze_week", "UBOB"),
    ]);
    await expect
      .poll(() => JSON.stringify(h.slack.message(CHANNEL, reminder.ts)?.blocks))
      .toContain("😴 Snoozed by <@UBOB>");
    // The snooze's next occurrence is a stored effect: scheduled by the effect runner.
    await h.settle();
    const runId = (await h.run()).id;
    const next = await h.bot.timers.queue.getJob(`${runId}.delete-snapshot.1`);
    expect(await next?.isDelayed()).toBe(true);
    expect(Date.parse(next?.data.dueAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(await h.bot.timers.queue.getJob(`${runId}.delete-snapshot.2`)).toBeUndefined();

    await h.command("reminders", ALICE);
    const listed = await h.slack.waitFor(() => h.ephemeralsTo(ALICE).find((t) => t.includes("Pending")));
    expect(listed).toMatch(/Delete snapshot snap-/);
  });

  it("aborting cancels reminders that no longer apply and keeps those kept on abort", async () => {
    const h = await harness();
    await startRun(h);
    await h.click(h.button("step_complete", "take-snapshot"), ALICE);
    await h.settle();
    await h.command(`abort ${(await h.run()).id} window moved`, ALICE);
    await expect.poll(async () => (await h.run()).status).toBe("aborted");
    await h.settle();
    const pending = (await h.bot.timers.pendingInChannel(CHANNEL)).map((job) => job.text);
    expect(pending.some((text) => text.startsWith("Delete snapshot"))).toBe(true);
    expect(pending).not.toContain("Check the graphs");
    // Whatever is still scheduled comes due now: the kept reminder fires, the cancelled one doesn't.
    await fireEverythingScheduled(h.bot.timers.queue);
    await h.slack.waitFor(() => reminderMessages(h)[0]);
    expect(reminderMessages(h, CHANNEL, "Check the graphs")).toEqual([]);
  });

  it("finishing posts the stakeholder reminder in its own channel", async () => {
    const h = await harness();
    await startRun(h);
    await h.click(h.button("step_complete", "take-snapshot"), ALICE);
    await h.settle();
    await h.click(h.button("step_complete", "change"), ALICE);
    await h.settle();
    await h.click(h.button("run_finish"), ALICE);
    await dueNow(h, "tell-business");
    const message = await h.slack.waitFor(() => reminderMessages(h, "#business", "Tell the business")[0]);
    expect(message.text).toBe("⏰ Reminder: Tell the business it is done");
  });

  it("a post Slack refuses for good is not retried: it is recorded on the run and logged at once", async () => {
    const h = await harness();
    await startRun(h);
    await h.click(h.button("step_complete", "take-snapshot"), ALICE);
    await h.settle();
    // channel_not_found: retrying can't help, so the first refusal is final.
    h.slack.failNext("chat.postMessage", "channel_not_found", 1);
    await dueNow(h, "delete-snapshot");
    await expect
      .poll(async () => (await h.run()).postFailures[0], { timeout: 8_000 })
      .toMatchObject({
        what: expect.stringMatching(/^the reminder "Delete snapshot snap-.*"$/),
        error: expect.stringContaining("channel_not_found"),
      });
    expect(h.slack.callsTo("chat.postMessage").filter((c) => c.error === "channel_not_found")).toHaveLength(
      1,
    );
    expect(h.logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: "a reminder could not be posted after every retry",
      }),
    );
    await expect.poll(() => h.threadTexts().join("\n")).toContain("could not post the reminder");
  });
});

describe("overrun nudges", () => {
  it("mention the owner at the expected maximum and at twice it", async () => {
    const h = await harness();
    await startRun(h);
    await h.click(h.button("step_start", "take-snapshot"), ALICE);
    const nudgeLines = () =>
      h
        .threadTexts()
        .flatMap((t) => t.split("\n"))
        .filter((t) => t.includes("has been running for"));
    for (const level of [1, 2]) {
      const nudge = (job: Job) => job.name === "nudge" && job.data.level === level;
      await promoteScheduled(h.bot.timers.queue, nudge, 1);
      await expect.poll(() => nudgeLines().length).toBe(level);
    }
    const nudges = nudgeLines();
    expect(nudges[0]).toMatch(
      /^⏰ <@UALICE> \*Take snapshot snap-.*\* has been running for \d+s, past its expected maximum \(expected up to 5m\)/,
    );
    expect(nudges[1]).toContain("past twice its expected maximum");
  });

  it("are cancelled the moment the step moves on", async () => {
    const h = await harness();
    await startRun(h);
    const queue = h.bot.timers.queue;
    const nudges = async () => (await queue.getDelayed()).filter((job) => job.name === "nudge");
    await h.click(h.button("step_start", "take-snapshot"), ALICE);
    await expect.poll(async () => (await nudges()).length).toBe(2);
    await h.click(h.button("step_complete", "take-snapshot"), ALICE);
    // Gone from the queue, not merely ignored when they come due.
    await expect.poll(async () => (await nudges()).length).toBe(0);
    await h.settle();
    expect(h.threadTexts().filter((t) => t.includes("has been running for"))).toEqual([]);
  });
});

describe("exactly once, nothing lost", () => {
  it("pending reminders survive a restart: a new bot process fires them", async () => {
    const first = await harness();
    await startRun(first);
    await first.click(first.button("step_complete", "take-snapshot"), ALICE);
    await first.settle();
    await dueNow(first, "delete-snapshot");
    await first.stopBot();
    const second = await harness(first);
    const reminder = await second.slack.waitFor(() => reminderMessages(second)[0]);
    expect(reminder.text).toContain("Delete snapshot");
  });

  it("two bot processes against one Redis post each reminder once", async () => {
    const first = await harness();
    const second = await harness(first);
    await startRun(first);
    await first.click(first.button("step_complete", "take-snapshot"), ALICE);
    await dueNow(first, "delete-snapshot");
    await first.slack.waitFor(() => reminderMessages(first)[0]);
    // Once its job is carried out, no process takes it again.
    await fireEverythingScheduled(first.bot.timers.queue);
    expect(reminderMessages(first)).toHaveLength(1);
    expect(second.bot.worker.isRunning()).toBe(true);
  });

  it("a reminder posted is recorded on its run without redrawing the run message (nothing it shows changed)", async () => {
    const h = await harness();
    await startRun(h);
    const updatesBefore = h.slack.callsTo("chat.update").length;
    await dueNow(h, "check-graphs");
    await h.slack.waitFor(() => reminderMessages(h, CHANNEL, "Check the graphs")[0]);
    await h.settle();
    const run = await h.run();
    expect(
      Object.values(run.reminders).find((r) => r.reminderId === "check-graphs")?.posted?.ts,
    ).toBeTruthy();
    expect(h.slack.callsTo("chat.update").slice(updatesBefore)).toEqual([]);

    // A step done does change it: redrawn.
    await h.click(h.button("step_complete", "take-snapshot"), ALICE);
    await h.settle();
    expect(h.slack.callsTo("chat.update").length).toBeGreaterThan(updatesBefore);
  });
});
