import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { remindersFor } from "../../../src/core/run/reminders.js";
import type { Run, ScheduledReminder } from "../../../src/core/run/run-schema.js";
import { reminderMessage } from "../../../src/slack/render/timer-messages.js";
import { newRun, RULES_CHECKLIST_YAML, T0 } from "../../support/checklist-fixtures.js";

/** rules-demo with a deletion offered on its 30-day reminder. */
const YAML = RULES_CHECKLIST_YAML.replace(
  "    text: Delete snapshot {{snapshot}}\n",
  "    text: Delete snapshot {{snapshot}}\n    action: { type: rds.delete_snapshot, target: instance, snapshot: '{{snapshot}}' }\n",
);

function finished(run: Run): ScheduledReminder[] {
  return remindersFor(run, { on: "run.finished" }, T0);
}
const buttonIds = (reminder: ScheduledReminder) =>
  JSON.stringify(reminderMessage(reminder, undefined).blocks).match(/"action_id":"[a-z_]+"/g);

describe("a rehearsal's reminders", () => {
  it("stay in the run's own channel, remembering where a real run would post", () => {
    expect(finished(newRun())[0]).toMatchObject({ channel: "#business" });
    const [reminder] = finished(newRun({ dryRun: true }));
    expect(reminder).toMatchObject({ channel: "C_OPS", dryRun: true, wouldPostTo: "#business" });
    const message = reminderMessage(reminder as ScheduledReminder, undefined);
    expect(message.text).toBe(
      "🧪 Rehearsal (dry run) · would post to #business: ⏰ Reminder: Rules demo finished in qa",
    );
    expect(JSON.stringify(message.blocks)).toContain("🧪 Rehearsal (dry run) · would post to #business:");
  });

  it("offer no real deletion: no Delete snapshot button, only what a real run would offer", () => {
    const real = remindersFor(newRun({}, YAML), { on: "step.done", stepId: "snapshot" }, T0)[0];
    expect(buttonIds(real as ScheduledReminder)).toContain('"action_id":"reminder_delete_snapshot"');
    const rehearsal = remindersFor(
      newRun({ dryRun: true }, YAML),
      { on: "step.done", stepId: "snapshot" },
      T0,
    )[0];
    expect(rehearsal).toMatchObject({ dryRun: true, action: { type: "rds.delete_snapshot" } });
    expect(buttonIds(rehearsal as ScheduledReminder)).not.toContain('"action_id":"reminder_delete_snapshot"');
    expect(JSON.stringify(reminderMessage(rehearsal as ScheduledReminder, undefined).blocks)).toContain(
      "A real run would offer to delete snapshot `demo-qa-2026-11-20` here; a rehearsal deletes nothing.",
    );
  });

  it("are marked even when the checklist names no other channel", () => {
    const run = newRun({ dryRun: true });
    const done = applyEvent(run, { type: "complete_step", stepId: "announce", by: "U_ALICE" }, T0);
    if (!done.accepted) throw new Error("refused");
    const [reminder] = remindersFor(done.run, { on: "step.done", stepId: "snapshot" }, T0);
    expect(reminder).not.toHaveProperty("wouldPostTo");
    expect(reminderMessage(reminder as ScheduledReminder, undefined).text).toBe(
      "🧪 Rehearsal (dry run) · ⏰ Reminder: Delete snapshot demo-qa-2026-11-20",
    );
  });
});
