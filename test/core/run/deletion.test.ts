import { describe, expect, it } from "vitest";
import { decideSnapshotDeletion } from "../../../src/core/run/deletion.js";
import { remindersFor } from "../../../src/core/run/reminders.js";
import type { Run, ScheduledReminder } from "../../../src/core/run/run-schema.js";
import { newRun, RULES_CHECKLIST_YAML, T0 } from "../../support/checklist-fixtures.js";

/** rules-demo, prod protected, with a deletion offered on the 30-day reminder. */
const YAML = RULES_CHECKLIST_YAML.replace(
  "    text: Delete snapshot {{snapshot}}\n",
  "    text: Delete snapshot {{snapshot}}\n    action: { type: rds.delete_snapshot, target: instance, snapshot: '{{snapshot}}' }\n",
).replace("prod: { requires_completed: [qa] }", "prod: { protected: true }");
const ALICE = "U_ALICE";
const BOB = "U_BOB";

function reminderOf(run: Run): ScheduledReminder {
  const [reminder] = remindersFor(run, { on: "step.done", stepId: "snapshot" }, T0);
  if (!reminder) throw new Error("no reminder");
  return reminder;
}
const decide = (run: Run, by: string, request?: { by: string; at: string }) =>
  decideSnapshotDeletion({ run, reminder: reminderOf(run), by, request });

describe("deleting a snapshot from a reminder", () => {
  const prod = newRun({ params: { env: "prod" } }, YAML);

  it("in a protected environment, one person only asks: the snapshot is not deleted", () => {
    expect(decide(prod, ALICE)).toEqual({ kind: "request" });
  });

  it("the person who asked can't confirm it", () => {
    expect(decide(prod, ALICE, { by: ALICE, at: T0.toISOString() })).toEqual({
      kind: "refused",
      message: `You asked to delete demo-prod-2026-11-20, so you can't confirm it: prod is protected and a second person must confirm the deletion.`,
    });
  });

  it("a second person confirms, and then it is deleted", () => {
    expect(decide(prod, BOB, { by: ALICE, at: T0.toISOString() })).toEqual({
      kind: "delete",
      requestedBy: ALICE,
    });
  });

  it("elsewhere one person may delete it", () => {
    expect(decide(newRun({}, YAML), ALICE)).toEqual({ kind: "delete" });
  });

  it("a rehearsal deletes nothing, whoever asks", () => {
    const rehearsal = newRun({ params: { env: "qa" }, dryRun: true }, YAML);
    expect(decide(rehearsal, ALICE)).toMatchObject({
      kind: "refused",
      message: expect.stringContaining("belongs to a rehearsal (dry run): nothing is deleted"),
    });
  });
});
