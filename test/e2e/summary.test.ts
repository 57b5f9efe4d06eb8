import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { markdownText } from "../../src/render/people-text.js";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import { compiledRoot } from "../support/compiled-build.js";
import { redisChildEnv } from "../support/redis.js";
import {
  blockActionPayload,
  sendInteraction,
  sendSlashCommand,
  viewSubmissionPayload,
} from "../support/slack-requests.js";

const CHECKLIST = `
id: summary-test
title: Summary test
summary: Two steps, one of them skippable
phases:
  - id: only
    title: Only
    steps:
      - id: first
        title: First step
        duration: 1s
        downtime: start
      - id: second
        title: Second step
        downtime: end
`;

let dir: string;
let h: Harness;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "preflight-summary-"));
  await writeFile(join(dir, "summary-test.yaml"), CHECKLIST);
});
afterEach(async () => h.stop());

async function startRun() {
  h = await startHarness({ checklistsDir: dir });
  await h.command("start summary-test", "UALICE");
  await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
  await h.settle();
}

const uploaded = () => h.slack.uploads.filter((u) => u.completed);

describe("the post-mortem summary", () => {
  it("is posted in the thread when the run finishes, with the Markdown uploaded through files v2 in order", async () => {
    await startRun();
    await h.click(h.button("step_complete", "first"), "UALICE");
    await h.settle();
    await h.click(h.button("step_complete", "second"), "UALICE");
    await h.settle();
    await h.click(h.button("run_finish"), "UALICE");
    const file = await h.slack.waitFor(() => uploaded()[0], 8_000);
    const run = await h.run();
    expect(file).toMatchObject({
      filename: `${run.id}-post-mortem.md`,
      channel: CHANNEL,
      threadTs: h.runMessage().ts,
      title: "Post-mortem: Summary test",
    });
    const markdown = file.content.toString("utf8");
    expect(markdown).toContain("# Post-mortem: Summary test");
    expect(markdown).toContain("First step");
    expect(markdown).toContain(run.source.hash);
    const order = h.slack.calls.map((c) => c.method).filter((m) => m.startsWith("files.") || m === "upload");
    expect(order.filter((m) => m.startsWith("files."))).toEqual([
      "files.getUploadURLExternal",
      "files.completeUploadExternal",
    ]);
    const thread = h.slack.thread(CHANNEL, h.runMessage().ts);
    // The summary message, then the Markdown file shared after it.
    expect(thread.at(-1)?.files?.map((f) => f.name)).toEqual([`${run.id}-post-mortem.md`]);
    expect(JSON.stringify(thread.at(-2)?.blocks ?? thread.at(-2)?.text)).toMatch(/[Ff]inished/);
    // A clean run asks for no follow-ups.
    expect(JSON.stringify(thread.map((m) => m.blocks))).not.toContain("summary_follow_up");
  });

  it("after an abort with a problem, asks for follow-ups, keeps them and posts the Markdown again with them", async () => {
    await startRun();
    await h.click(h.button("step_problem", "first"), "UBOB");
    await h.submitLastModal("UBOB", "the primary did not fail over");
    await h.settle();
    await h.command(`abort ${(await h.run()).id} failover broken`, "UALICE");
    const firstFile = await h.slack.waitFor(() => uploaded()[0], 8_000);
    expect(firstFile.content.toString("utf8")).toContain("the primary did not fail over");
    const summaryMessage = await h.slack.waitFor(() =>
      h.slack
        .thread(CHANNEL, h.runMessage().ts)
        .find((m) => JSON.stringify(m.blocks ?? []).includes("summary_follow_up")),
    );
    expect(JSON.stringify(summaryMessage.blocks)).toContain("failover broken");

    const button = (
      summaryMessage.blocks as { type: string; elements?: { action_id?: string; value?: string }[] }[]
    )
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === "summary_follow_up");
    await sendInteraction(
      h.url,
      SIGNING_SECRET,
      blockActionPayload({
        userId: "UCAROL",
        channelId: CHANNEL,
        messageTs: summaryMessage.ts,
        threadTs: h.runMessage().ts,
        actionId: "summary_follow_up",
        value: button?.value ?? "",
      }),
    );
    const opened = await h.slack.waitFor(() =>
      h.slack
        .callsTo("views.open")
        .find((c) => (c.args.view as { callback_id: string }).callback_id === "follow_ups_modal"),
    );
    const view = opened.args.view as { callback_id: string; private_metadata: string };
    await sendInteraction(
      h.url,
      SIGNING_SECRET,
      viewSubmissionPayload({
        userId: "UCAROL",
        callbackId: view.callback_id,
        privateMetadata: view.private_metadata,
        values: {
          follow_up_wrong: {
            value: { type: "plain_text_input", value: "Nobody checked the failover before the window" },
          },
          follow_up_change: {
            value: {
              type: "plain_text_input",
              value: "Add a failover drill step before enable-maintenance-page",
            },
          },
        },
      }),
    );
    const secondFile = await h.slack.waitFor(() => uploaded()[1], 8_000);
    const markdown = secondFile.content.toString("utf8");
    expect(markdown).toContain("Nobody checked the failover before the window");
    expect(markdown).toContain(markdownText("Add a failover drill step before enable-maintenance-page"));
    expect((await h.run()).followUps.map((f) => [f.by, f.text])).toEqual([
      ["UCAROL", "What went wrong: Nobody checked the failover before the window"],
      ["UCAROL", "Change in the checklist: Add a failover drill step before enable-maintenance-page"],
    ]);
  });

  it("/maintenance summary posts it again, and `preflight summary` prints it from Redis", async () => {
    await startRun();
    const runId = (await h.run()).id;
    await h.command(`abort ${runId} moved to next week`, "UALICE");
    await h.slack.waitFor(() => uploaded()[0], 8_000);
    await h.command(`summary ${runId}`, "UBOB");
    const again = await h.slack.waitFor(() => uploaded()[1], 8_000);
    expect(again.initialComment).toBe("Summary posted again by <@UBOB>");

    // The image's command (bin/preflight.js beside the compiled dist/): nothing to compile at start.
    const bin = join(await compiledRoot(), "bin", "preflight.js");
    const { stdout } = await promisify(execFile)("node", [bin, "summary", runId], {
      env: { ...process.env, ...redisChildEnv(h.redisEnv.prefix) },
    });
    expect(stdout).toContain("# Post-mortem: Summary test");
    expect(stdout).toContain("moved to next week");

    await h.command("summary r-nope", "UBOB");
    expect(await h.slack.waitFor(() => h.ephemeralsTo("UBOB")[0])).toBe(
      'There is no run "r-nope" with a message to post its summary under.',
    );

    // From another channel: refused, nothing is written into the run's thread.
    await sendSlashCommand(h.url, SIGNING_SECRET, {
      command: "/maintenance",
      text: `summary ${runId}`,
      user_id: "UMALLORY",
      channel_id: "COTHER",
    });
    const told = () =>
      h.slack
        .ephemerals("COTHER")
        .filter((call) => call.args.user === "UMALLORY")
        .map((call) => String(call.args.text));
    expect(await h.slack.waitFor(() => told()[0])).toBe(
      `The summary of ${runId} is posted in its own channel's thread: type \`/maintenance summary ${runId}\` in the channel the run is in.`,
    );
    await h.settle();
    expect(uploaded()).toHaveLength(2);
  });
});
