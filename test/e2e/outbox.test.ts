import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyEvent } from "../../src/core/run/apply-event.js";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";

const CHECKLIST = `
id: outbox-test
title: Outbox test
summary: A reminder whose scheduling is interrupted
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
    after: 1s
    text: Delete the outbox-test snapshot
`;

let h: Harness;
afterEach(async () => h.stop());

describe("effects of a stored change", () => {
  it("are carried out by recovery when the process stopped before carrying them out", async () => {
    const dir = await mkdtemp(join(tmpdir(), "preflight-outbox-"));
    await writeFile(join(dir, "outbox-test.yaml"), CHECKLIST);
    h = await startHarness({ checklistsDir: dir });
    await h.command("start outbox-test", "UALICE");
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    const runId = (await h.run()).id;

    // Store the change and keep its effects, but carry none out: what a kill -9 right after the
    // Redis write leaves behind.
    const at = new Date();
    const result = await h.bot.store.update(runId, {
      eventId: "click.interrupted",
      by: "UALICE",
      type: "complete_step",
      at,
      decide: (run) => applyEvent(run, { type: "complete_step", stepId: "take-snapshot", by: "UALICE" }, at),
      keep: (effects) => effects.filter((effect) => effect.type === "schedule_reminder"),
    });
    expect(result.status).toBe("applied");
    expect((await h.bot.store.pendingEffects()).map((entry) => entry.id)).toEqual([
      `${runId}|click.interrupted`,
    ]);

    const reminder = await h.slack.waitFor(
      () => h.slack.messages(CHANNEL).find((m) => (m.text ?? "").includes("Delete the outbox-test snapshot")),
      8_000,
    );
    expect(reminder.text).toBe("⏰ Reminder: Delete the outbox-test snapshot");
    expect(await h.bot.store.pendingEffects()).toEqual([]);
    expect(h.logs).toContainEqual(
      expect.objectContaining({ message: "carrying out effects left over from an interrupted change" }),
    );
  });

  it("leave the outbox once carried out, so nothing is done twice", async () => {
    h = await startHarness();
    await h.command("start db-upgrade", "UALICE");
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await h.click(h.button("step_complete", "check-access"), "UALICE");
    await h.settle();
    await expect.poll(() => h.bot.store.pendingEffects()).toEqual([]);
  });
});
