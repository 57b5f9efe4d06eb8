import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { applyEvent } from "../../src/core/run/apply-event.js";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import { fireEverythingScheduled, promoteWhenScheduled } from "../support/timers.js";

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
    after: 30d
    text: Delete the outbox-test snapshot
`;

let h: Harness;
afterEach(async () => h.stop());

async function checklistDir() {
  const dir = await mkdtemp(join(tmpdir(), "preflight-outbox-"));
  await writeFile(join(dir, "outbox-test.yaml"), CHECKLIST);
  return dir;
}

describe("effects of a stored change", () => {
  it("are carried out by the sweep when the process stopped before carrying them out", async () => {
    h = await startHarness({ checklistsDir: await checklistDir() });
    await h.command("start outbox-test", "UALICE");
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    const runId = (await h.run()).id;

    // Store the change with its effects and carry none out: what a kill -9 right after the
    // Redis write leaves behind.
    const at = new Date();
    const result = await h.bot.store.update(runId, {
      eventId: "click.interrupted",
      by: "UALICE",
      type: "complete_step",
      at,
      decide: (run) => applyEvent(run, { type: "complete_step", stepId: "take-snapshot", by: "UALICE" }, at),
    });
    expect(result.status).toBe("applied");
    expect(await h.bot.store.runsWithOutbox()).toEqual([runId]);

    // Recovery schedules the reminder; made due now rather than waited for.
    await promoteWhenScheduled(h.bot.timers.queue, `${runId}.delete-snapshot.0`);
    const reminder = await h.slack.waitFor(() =>
      h.slack.messages(CHANNEL).find((m) => (m.text ?? "").includes("Delete the outbox-test snapshot")),
    );
    expect(reminder.text).toBe("⏰ Reminder: Delete the outbox-test snapshot");
    // The thread line of the interrupted click was posted by the sweep too, once.
    await h.slack.waitFor(() => h.threadTexts().some((t) => t.includes("completed *Take snapshot*")));
    await h.settle();
    expect(h.threadTexts().filter((t) => t.includes("completed *Take snapshot*"))).toHaveLength(1);
    expect(await h.bot.store.runsWithOutbox()).toEqual([]);
  });

  it("leave the outbox once carried out, each effect recorded as done", async () => {
    h = await startHarness({ checklistsDir: await checklistDir() });
    await h.command("start outbox-test", "UALICE");
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await h.click(h.button("step_complete", "take-snapshot"), "UALICE");
    await h.settle();
    const runId = (await h.run()).id;
    await expect.poll(() => h.bot.store.runsWithOutbox()).toEqual([]);
    expect(await h.bot.store.outbox(runId)).toEqual([]);
    const records = Object.values(await h.bot.store.effectRecords(runId));
    // The run message, the completion line, the reminder's scheduling (redraws are not effects
    // in the outbox: every commit records the version its message should show).
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(records.every((record) => record.status === "done")).toBe(true);
    // Scheduled once, posted once, however often anything looks again.
    await promoteWhenScheduled(h.bot.timers.queue, `${runId}.delete-snapshot.0`);
    const reminders = () =>
      h.slack.messages(CHANNEL).filter((m) => (m.text ?? "").includes("Delete the outbox-test snapshot"));
    await h.slack.waitFor(() => reminders()[0]);
    await fireEverythingScheduled(h.bot.timers.queue);
    await h.bot.effects.sweep();
    await h.settle();
    expect(reminders()).toHaveLength(1);
  });
});
