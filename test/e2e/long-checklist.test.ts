import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import { longMigrationChecklist } from "../support/long-checklist.js";

/**
 * Slack refuses a message with more than 50 blocks, or ~13,000 characters of blocks (the double
 * checks both). The whole 300-step walk, every rendering checked, is a pure test
 * (test/slack/render/long-walk.test.ts); over the wire, the start and a few clicks.
 */

let h: Harness;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "preflight-long-"));
  await writeFile(join(dir, "long-migration.yaml"), longMigrationChecklist());
  h = await startHarness({ checklistsDir: dir });
});
afterAll(async () => h.stop());

describe("a 300-step checklist over the wire", () => {
  it("is posted, listed in the thread and refreshed within Slack's limits", async () => {
    await h.command("start long-migration", "UALICE");
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    // The full list continues in the thread, split into messages Slack accepts.
    await expect.poll(() => h.threadTexts().length).toBeGreaterThan(1);

    for (let n = 1; n <= 3; n++) {
      await h.click(h.button("step_complete", `s${n}`), "UALICE");
      await h.settle();
    }
    expect(h.button("step_complete", "s4").text).toBeTruthy();
    expect((await h.run()).steps.slice(0, 4).map((step) => step.status)).toEqual([
      "done",
      "done",
      "done",
      "pending",
    ]);

    const posts = [...h.slack.callsTo("chat.postMessage"), ...h.slack.callsTo("chat.update")];
    const refused = posts.filter((call) => call.status !== 200 || call.error !== undefined);
    expect(refused.map((call) => `${call.method}: ${call.error}`)).toEqual([]);
    expect(h.slack.callsTo("chat.update").length).toBeGreaterThan(0);
  });
});
