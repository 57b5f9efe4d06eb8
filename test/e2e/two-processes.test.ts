import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";

/**
 * Two bot processes on one Redis and one Slack, clicks alternating between them (as behind a
 * round-robin load balancer): every line once, one post-mortem, the message equal to the run.
 */

const CHECKLIST = `
id: two-bots
title: Two bots
summary: Four steps clicked through two processes
phases:
  - id: only
    title: Only
    steps:
      - { id: one, title: Step one }
      - { id: two, title: Step two }
      - { id: three, title: Step three }
      - { id: four, title: Step four }
`;

const ALICE = "UALICE";
const harnesses: Harness[] = [];
afterAll(async () => {
  for (const h of harnesses.reverse()) await h.stop();
});

describe("two processes behind one load balancer", () => {
  it("complete a run with clicks alternating between them: each line once, one summary", async () => {
    const dir = await mkdtemp(join(tmpdir(), "preflight-two-"));
    await writeFile(join(dir, "two-bots.yaml"), CHECKLIST);
    const a = await startHarness({ checklistsDir: dir });
    harnesses.push(a);
    const b = await startHarness({ checklistsDir: dir, shareWith: { slack: a.slack, redisEnv: a.redisEnv } });
    harnesses.push(b);

    await a.command("start two-bots", ALICE);
    await a.slack.waitFor(() => a.slack.messages(CHANNEL)[0]);
    const steps = ["one", "two", "three", "four"];
    for (const [i, step] of steps.entries()) {
      const via = i % 2 === 0 ? b : a;
      await a.slack.waitFor(() =>
        a.buttons().find((x) => x.actionId === "step_complete" && x.stepId === step),
      );
      await via.click(a.button("step_complete", step), ALICE);
      await expect.poll(async () => (await a.run()).steps[i]?.status).toBe("done");
    }
    await a.slack.waitFor(() => a.buttons().find((x) => x.actionId === "run_finish"));
    await b.click(a.button("run_finish"), ALICE);
    await expect.poll(async () => a.bot.store.runsWithOutbox(), { timeout: 8_000 }).toEqual([]);
    await Promise.all([a.settle(), b.settle()]);

    const lines = a.threadTexts().join("\n").split("\n");
    for (const step of ["Step one", "Step two", "Step three", "Step four"])
      expect(lines.filter((line) => line.includes(`completed *${step}*`))).toHaveLength(1);
    const thread = a.slack.thread(CHANNEL, a.runMessage().ts);
    expect(thread.filter((m) => (m.files ?? []).length > 0)).toHaveLength(1);
    await expect.poll(() => a.messageText()).toContain("Finished");
    expect(a.buttons().filter((x) => x.actionId.startsWith("step_") || x.actionId === "run_finish")).toEqual(
      [],
    );
  });
});
