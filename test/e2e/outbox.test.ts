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

describe("effects of a stored change", () => {
  it("are carried out by recovery when the process stopped before carrying them out", async () => {
    const dir = await mkdtemp(join(tmpdir(), "preflight-outbox-"));
    await writeFile(join(dir, "outbox-test.yaml"), CHECKLIST);
    // Changes are recovered once 300 ms old (the harness waits longer, so nothing in flight is redone).
    h = await startHarness({ checklistsDir: dir, bot: { outboxMinAgeMs: 300 } });
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

    // Recovery schedules the reminder; made due now rather than waited for.
    await promoteWhenScheduled(h.bot.timers.queue, `${runId}.delete-snapshot.0`);
    const reminder = await h.slack.waitFor(() =>
      h.slack.messages(CHANNEL).find((m) => (m.text ?? "").includes("Delete the outbox-test snapshot")),
    );
    expect(reminder.text).toBe("⏰ Reminder: Delete the outbox-test snapshot");
    expect(await h.bot.store.pendingEffects()).toEqual([]);
    expect(h.logs).toContainEqual(
      expect.objectContaining({ message: "carrying out effects left over from an interrupted change" }),
    );
  });

  it("leave the outbox once carried out, so nothing is done twice", async () => {
    const dir = await mkdtemp(join(tmpdir(), "preflight-outbox-"));
    await writeFile(join(dir, "outbox-test.yaml"), CHECKLIST);
    h = await startHarness({ checklistsDir: dir });
    await h.command("start outbox-test", "UALICE");
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    const runId = (await h.run()).id;
    // Completing the step stores a durable effect with the change: the reminder to schedule.
    await h.click(h.button("step_complete", "take-snapshot"), "UALICE");
    await promoteWhenScheduled(h.bot.timers.queue, `${runId}.delete-snapshot.0`);
    await expect.poll(() => h.bot.store.pendingEffects(), { timeout: 5_000 }).toEqual([]);
    // Recovery, were it to run now, finds nothing to do again.
    expect(await h.bot.service.recover(0)).toBe(0);
    const reminders = () =>
      h.slack.messages(CHANNEL).filter((m) => (m.text ?? "").includes("Delete the outbox-test snapshot"));
    await h.slack.waitFor(() => reminders()[0]);
    await fireEverythingScheduled(h.bot.timers.queue);
    expect(reminders()).toHaveLength(1);
    expect(h.logs.map((line) => line.message)).not.toContain(
      "carrying out effects left over from an interrupted change",
    );
  });
});
