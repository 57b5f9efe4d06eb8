import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import type { StoredMessage } from "../support/slack-api-double.js";
import { blockActionPayload, sendInteraction } from "../support/slack-requests.js";

/** QA before PROD, a post to another channel when it is done, and a 30-day-style reminder. */
const GATED = `
id: gated
title: Gated change
summary: QA before prod, then tell the business
parameters:
  env: { type: enum, values: [qa, prod] }
phases:
  - id: only
    title: Only
    steps:
      - id: change
        title: Make the change
reminders:
  - id: tell-business
    on: run.finished
    after: 0s
    channel: "#business-updates"
    text: The site is back
rules:
  environment: env
  environments:
    prod: { requires_completed: [qa], protected: true }
`;

const ALICE = "UALICE";
const BOB = "UBOB";
let dir: string;
let h: Harness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "preflight-gate-"));
  await writeFile(join(dir, "gated.yaml"), GATED);
});
afterEach(async () => {
  await h.stop();
});

/** The run message of the `index`-th run in the channel, once posted. */
async function start(text: string, index: number): Promise<StoredMessage> {
  await h.command(text, ALICE);
  const message = await h.slack.waitFor(() => h.slack.messages(CHANNEL)[index]);
  await h.settle();
  return message;
}

/** Clicks a button on the run message it belongs to. */
async function clickOn(message: StoredMessage, actionId: string, user: string, stepId?: string) {
  const current = h.slack.message(CHANNEL, message.ts) ?? message;
  const button = h.button(actionId, stepId, current);
  await sendInteraction(
    h.url,
    SIGNING_SECRET,
    blockActionPayload({
      userId: user,
      channelId: CHANNEL,
      messageTs: message.ts,
      actionId,
      value: button.value,
    }),
  );
  await h.settle();
}

async function runTo(message: StoredMessage, status: "finished") {
  const current = h.slack.message(CHANNEL, message.ts) ?? message;
  const runId = JSON.parse(h.button("run_abort", undefined, current).value).r as string;
  await clickOn(message, "step_complete", ALICE, "change");
  await clickOn(message, "run_finish", ALICE);
  await expect.poll(async () => (await h.bot.store.get(runId))?.status).toBe(status);
  await h.settle();
}

describe("the prod gate, over the wire", () => {
  it("a finished qa dry run leaves prod refused; a real qa run of the same version opens it", async () => {
    h = await startHarness({ checklistsDir: dir });
    await runTo(await start("start gated env=qa dry_run=true", 0), "finished");
    await h.command("start gated env=prod", ALICE);
    const refusal = await h.slack.waitFor(() => h.ephemeralsTo(ALICE).find((t) => t.includes("prod needs")));
    expect(refusal).toContain("prod needs a finished qa run of gated version ");
    expect(refusal).toContain("within 30 days; the last qa run was a dry run.");
    expect(h.slack.messages(CHANNEL)).toHaveLength(1);

    await runTo(await start("start gated env=qa", 1), "finished");
    const prod = await start("start gated env=prod", 2);
    expect(h.messageText(prod)).toContain("Make the change");
    expect((await h.bot.store.activeRuns(CHANNEL)).map((run) => run.environment)).toEqual(["prod"]);
  });

  it("an override needs a second person, is announced and marked, and leads the post-mortem", async () => {
    h = await startHarness({ checklistsDir: dir });
    const message = await start('start gated env=prod override="qa is down & the fix <can\'t> wait"', 0);
    expect(h.messageText(message)).toContain(
      "⚠️ *Started past the prod gate* by <@UALICE>: qa is down &amp; the fix &lt;can't&gt; wait — waiting for a second person to approve",
    );
    expect(() => h.button("step_complete", "change", message)).toThrow();

    await clickOn(message, "run_approve_override", ALICE);
    expect(await h.slack.waitFor(() => h.ephemeralsTo(ALICE)[0])).toContain(
      "You asked for this override, so you can't approve it",
    );
    expect((await h.run()).status).toBe("awaiting_override");

    await clickOn(message, "run_approve_override", BOB);
    await expect.poll(async () => (await h.run()).status).toBe("active");
    await h.settle();
    expect(h.threadTexts().join("\n")).toContain(
      "⚠️ Started past the prod gate by <@UALICE>: qa is down &amp; the fix &lt;can't&gt; wait — approved by <@UBOB>",
    );
    expect(h.messageText(h.slack.message(CHANNEL, message.ts))).toContain("— approved by <@UBOB>");
    const log = await h.bot.store.log((await h.run()).id);
    expect(log.filter((e) => e.accepted).map((e) => [e.type, e.by])).toEqual([
      ["run_started", ALICE],
      ["approve_override", BOB],
    ]);

    await runTo(message, "finished");
    const summary = await h.slack.waitFor(() =>
      h.slack.thread(CHANNEL, message.ts).find((m) => (m.text ?? "").startsWith("Post-mortem")),
    );
    const sections = (summary.blocks ?? []).filter((b) => (b as { type: string }).type === "section");
    expect(JSON.stringify(sections[0])).toContain("⚠️ *Started past the prod gate* by <@UALICE>");
    const upload = await h.slack.waitFor(() => h.slack.uploads.find((u) => u.completed));
    const markdown = upload.content.toString("utf8");
    expect(markdown.indexOf("## ⚠️ Started past the prod gate")).toBeGreaterThan(0);
    expect(markdown.indexOf("## ⚠️ Started past the prod gate")).toBeLessThan(markdown.indexOf("| Run |"));
  });
});

describe("a rehearsal, over the wire", () => {
  it("posts nothing outside its thread: the business post appears in the thread as what it would post", async () => {
    h = await startHarness({ checklistsDir: dir });
    const message = await start("start gated env=qa dry_run=true", 0);
    await runTo(message, "finished");
    const rehearsed = await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, message.ts).find((m) => (m.text ?? "").includes("would post to")),
      6_000,
    );
    expect(rehearsed.text).toBe(
      "🧪 Rehearsal (dry run) · would post to #business-updates: ⏰ Reminder: The site is back",
    );
    const posts = h.slack.callsTo("chat.postMessage");
    expect(posts.filter((call) => call.args.channel !== CHANNEL)).toEqual([]);
    expect(posts.filter((call) => call.args.thread_ts === undefined)).toHaveLength(1);
    expect(h.slack.messages("#business-updates")).toEqual([]);
    // Every message it posted says it is a rehearsal.
    const thread = h.slack.thread(CHANNEL, message.ts);
    for (const post of thread) expect(post.text ?? "").toMatch(/🧪 Rehearsal \(dry run\)|^$/);
    expect(h.messageText(h.slack.message(CHANNEL, message.ts))).toContain("🧪 Rehearsal (dry run)");
  });
});
