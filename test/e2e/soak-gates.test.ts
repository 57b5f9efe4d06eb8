import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";

/** A soak time over the wire: Start is refused until it is over, then a reminder says it opened. */

const SOAK = `
id: soak
title: Soak
summary: A canary that must stay clean a moment
phases:
  - id: rollout
    title: Rollout
    steps:
      - id: canary
        title: Deploy the canary
      - id: full-rollout
        title: Roll out everywhere
        not_before: 4s after canary
`;

const ALICE = "UALICE";
let h: Harness;
afterEach(async () => {
  await h.stop();
});

describe("a soak time", () => {
  it("refuses Start until it is over, and a reminder in the channel says when it opened", async () => {
    const dir = await mkdtemp(join(tmpdir(), "preflight-soak-"));
    await writeFile(join(dir, "soak.yaml"), SOAK);
    h = await startHarness({ checklistsDir: dir });
    await h.command("start soak", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await h.click(h.button("step_complete", "canary"), ALICE);
    await h.settle();
    expect(h.messageText()).toContain("⏳ opens");

    await h.click(h.button("step_start", "full-rollout"), ALICE);
    await h.settle();
    await expect
      .poll(() => h.ephemeralsTo(ALICE).at(-1))
      .toMatch(/"Roll out everywhere" can't start before .*: it waits 4s after "Deploy the canary"/);

    const reminder = await h.slack.waitFor(
      () => h.slack.messages(CHANNEL).find((message) => message.text?.includes("can start now")),
      15_000,
    );
    expect(reminder.text).toBe(
      '⏰ Reminder: "Roll out everywhere" can start now: its soak time (4s after "Deploy the canary") is over.',
    );
    await h.click(h.button("step_start", "full-rollout"), ALICE);
    await h.settle();
    expect((await h.run()).steps[1]?.status).toBe("running");
  });
});
