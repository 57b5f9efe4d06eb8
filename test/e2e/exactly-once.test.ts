import { afterEach, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import { blockActionPayload, sendInteraction, sendSlashCommand } from "../support/slack-requests.js";

/**
 * Every effect happens exactly once, over the wire: posts whose answer was lost, Slack failing
 * for a while, Slack refusing for good until someone fixes the cause, runs nobody can watch.
 */

const ALICE = "UALICE";
const BOB = "UBOB";
let h: Harness;
afterEach(async () => h.stop());

async function startDbUpgrade() {
  h = await startHarness();
  await h.command("start db-upgrade", ALICE);
  await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
  await h.settle();
}

const linesContaining = (text: string) =>
  h
    .threadTexts()
    .join("\n")
    .split("\n")
    .filter((l) => l.includes(text));

describe("every effect exactly once", () => {
  it("a thread post whose answer was lost after Slack carried it out is posted once", async () => {
    await startDbUpgrade();
    h.slack.loseAnswerNext("chat.postMessage");
    await h.click(h.button("step_complete", "check-access"), ALICE);
    // Carried out (and settled) only when the outbox is empty again.
    await expect.poll(() => h.bot.store.runsWithOutbox(), { timeout: 5_000 }).toEqual([]);
    await h.settle();
    // The lost answer was settled by reading the thread back, not by posting again.
    expect(h.slack.callsTo("conversations.replies").length).toBeGreaterThan(0);
    expect(linesContaining("completed *Connect")).toHaveLength(1);
  });

  it("a run message whose answer was lost is posted once, and the run goes on in it", async () => {
    h = await startHarness();
    h.slack.loseAnswerNext("chat.postMessage");
    await h.command("start db-upgrade", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await expect.poll(async () => h.bot.store.runsWithOutbox()).toEqual([]);
    expect(h.slack.messages(CHANNEL)).toHaveLength(1);
    await h.click(h.button("step_complete", "check-access"), ALICE);
    await h.settle();
    await expect.poll(() => h.messageText()).toContain("1/14");
  });

  it("Slack failing with 500s and 429s for a stretch loses and repeats nothing", async () => {
    await startDbUpgrade();
    h.slack.serverErrorNext("chat.postMessage", 500, 3);
    h.slack.rateLimitNext("chat.postMessage", 0.2, 2);
    h.slack.serverErrorNext("chat.update", 503, 2);
    h.slack.failNext("chat.update", "internal_error", 1);
    await h.click(h.button("step_complete", "check-access"), ALICE);
    await h.settle();
    await h.click(h.button("step_complete", "check-permissions"), ALICE);
    await h.threadReply(BOB, "grants look right to me");
    await h.slack.waitFor(() => linesContaining("completed *Confirm").length > 0 || undefined, 8_000);
    await h.settle();
    expect(linesContaining("completed *Connect")).toHaveLength(1);
    expect(linesContaining("completed *Confirm")).toHaveLength(1);
    const run = await h.run();
    await expect
      .poll(() => h.messageText(), { timeout: 5_000 })
      .toContain(`${run.steps.filter((s) => s.status === "done").length}/14`);
    expect(await h.bot.store.runsWithOutbox()).toEqual([]);
  });

  it("not_in_channel: the owner is told once in a DM, and the message and thread catch up once invited", async () => {
    await startDbUpgrade();
    h.slack.failAlways("chat.postMessage", "not_in_channel", CHANNEL);
    h.slack.failAlways("chat.update", "not_in_channel", CHANNEL);
    await h.click(h.button("step_complete", "check-access"), ALICE);
    const dm = await h.slack.waitFor(() => h.slack.messages(ALICE)[0], 5_000);
    expect(dm.text).toContain("not_in_channel");
    expect(dm.text).toContain("/invite @Preflight");
    // The refusal is on the run's record (its timeline and post-mortem), once.
    await expect
      .poll(async () => (await h.run()).history.filter((a) => a.type === "post_failed").length)
      .toBe(1);
    // Someone invites the bot: nothing more is needed.
    h.slack.clearFailures();
    await h.slack.waitFor(() => linesContaining("completed *Connect").length > 0 || undefined, 5_000);
    await expect.poll(() => h.messageText(), { timeout: 5_000 }).toContain("1/14");
    await h.settle();
    expect(h.slack.messages(ALICE)).toHaveLength(1);
    expect(linesContaining("completed *Connect")).toHaveLength(1);
  });

  it("a run whose message can't be posted is not left active, and its starter is told why", async () => {
    h = await startHarness();
    h.slack.failAlways("chat.postMessage", "not_in_channel", CHANNEL);
    h.slack.failAlways("chat.postEphemeral", "not_in_channel", CHANNEL);
    const responseUrl = h.slack.responseUrl("start");
    await sendSlashCommand(h.url, SIGNING_SECRET, {
      command: "/maintenance",
      text: "start db-upgrade",
      user_id: ALICE,
      channel_id: CHANNEL,
      response_url: responseUrl,
    });
    const answer = await h.slack.waitFor(
      () => h.slack.responses.find((r) => r.path.endsWith("/start")),
      5_000,
    );
    expect(JSON.stringify(answer.body)).toContain("/invite @Preflight");
    expect(await h.bot.store.activeRuns(CHANNEL)).toEqual([]);
    const run = await h.run();
    expect(run.status).toBe("aborted");
    expect(run.abortReason).toContain("not_in_channel");
  });

  it("a refused click, clicked again after its cause was fixed, is applied", async () => {
    await startDbUpgrade();
    // One delivery of Done, kept so that exactly the same request can be sent again.
    const payload = blockActionPayload({
      userId: ALICE,
      channelId: CHANNEL,
      messageTs: h.runMessage().ts,
      actionId: "step_complete",
      value: h.button("step_complete", "check-access").value,
    });
    await h.click(h.button("step_problem", "check-access"), BOB);
    await h.submitLastModal(BOB, "cannot connect from the bastion");
    await h.settle();
    await sendInteraction(h.url, SIGNING_SECRET, payload);
    await h.slack.waitFor(() => h.ephemeralsTo(ALICE).find((t) => t.includes("open problem")));
    expect((await h.run()).steps[0]?.status).not.toBe("done");

    const problemId = (await h.run()).problems[0]?.id ?? "";
    await h.bot.service.act(
      (await h.run()).id,
      { type: "resolve_problem", problemId, resolution: "security group fixed", by: BOB },
      "resolve.1",
    );
    await sendInteraction(h.url, SIGNING_SECRET, payload);
    await expect.poll(async () => (await h.run()).steps[0]?.status).toBe("done");
    expect(h.ephemeralsTo(ALICE).filter((t) => t.includes("open problem"))).toHaveLength(1);
  });

  it("the post-mortem is posted once even when the upload's answer was lost", async () => {
    await startDbUpgrade();
    h.slack.loseAnswerNext("files.completeUploadExternal");
    h.slack.loseAnswerNext("chat.postMessage");
    await h.command(`abort ${(await h.run()).id} window moved`, ALICE);
    await h.slack.waitFor(() => h.slack.uploads.find((u) => u.completed), 8_000);
    await h.settle();
    await expect.poll(() => h.bot.store.runsWithOutbox(), { timeout: 5_000 }).toEqual([]);
    const thread = h.slack.thread(CHANNEL, h.runMessage().ts);
    expect(thread.filter((m) => (m.files ?? []).length > 0)).toHaveLength(1);
    expect(thread.filter((m) => JSON.stringify(m.blocks ?? []).includes("window moved"))).toHaveLength(1);
  });
});
