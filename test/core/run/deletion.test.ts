import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { remindersFor, withReminders } from "../../../src/core/run/reminders.js";
import type { Run, RunEvent } from "../../../src/core/run/run-schema.js";
import { newRun, RULES_CHECKLIST_YAML, T0 } from "../../support/checklist-fixtures.js";

/** rules-demo, prod protected, with a deletion offered on the 30-day reminder. */
const YAML = RULES_CHECKLIST_YAML.replace(
  "    text: Delete snapshot {{snapshot}}\n",
  "    text: Delete snapshot {{snapshot}}\n    action: { type: rds.delete_snapshot, target: instance, snapshot: '{{snapshot}}' }\n",
).replace("prod: { requires_completed: [qa] }", "prod: { protected: true }");
const ALICE = "U_ALICE";
const BOB = "U_BOB";
const CAROL = "U_CAROL";

/** A run with its snapshot reminder on it, and the reminder's key. */
function withReminder(run: Run): { run: Run; key: string } {
  const [reminder] = remindersFor(run, { on: "step.done", stepId: "snapshot" }, T0);
  if (!reminder) throw new Error("no reminder");
  return { run: withReminders(run, [reminder]), key: reminder.key };
}
const claim = (key: string, by: string): RunEvent => ({
  type: "reminder_handled",
  key,
  outcome: "action",
  by,
});
const ask = (key: string, by: string): RunEvent => ({ type: "deletion_requested", key, by });

function accepted(run: Run, event: RunEvent): Run {
  const decision = applyEvent(run, event, T0);
  if (!decision.accepted) throw new Error(`${event.type} refused: ${decision.refusal.message}`);
  return decision.run;
}
function refusal(run: Run, event: RunEvent): string {
  const decision = applyEvent(run, event, T0);
  if (decision.accepted) throw new Error(`${event.type} was accepted`);
  return decision.refusal.message;
}

describe("deleting a snapshot from a reminder", () => {
  const prod = withReminder(newRun({ params: { env: "prod" } }, YAML));

  it("in a protected environment, nobody deletes it alone: it must be asked for first", () => {
    expect(refusal(prod.run, claim(prod.key, ALICE))).toBe(
      "prod is protected: deleting demo-prod-2026-11-20 needs two people. Ask for it first; a teammate then confirms.",
    );
  });

  it("the person who asked can't confirm it", () => {
    const asked = accepted(prod.run, ask(prod.key, ALICE));
    expect(asked.reminders[prod.key]?.deletionRequested).toEqual({ by: ALICE, at: T0.toISOString() });
    expect(refusal(asked, claim(prod.key, ALICE))).toBe(
      "You asked to delete demo-prod-2026-11-20, so you can't confirm it: prod is protected and a second person must confirm the deletion.",
    );
  });

  it("a second person, any teammate, confirms, and then it is claimed for deletion", () => {
    const asked = accepted(prod.run, ask(prod.key, ALICE));
    expect(accepted(asked, claim(prod.key, CAROL)).reminders[prod.key]?.handled).toMatchObject({
      by: CAROL,
      outcome: "action",
    });
    expect(refusal(asked, ask(prod.key, BOB))).toContain("already asked to delete demo-prod-2026-11-20");
  });

  it("asking is for those who may work the run", () => {
    expect(refusal(prod.run, ask(prod.key, CAROL))).toMatch(/^Only /);
  });

  it("elsewhere one person may delete it, and there is nothing to ask for", () => {
    const qa = withReminder(newRun({}, YAML));
    expect(accepted(qa.run, claim(qa.key, ALICE)).reminders[qa.key]?.handled?.by).toBe(ALICE);
    expect(refusal(qa.run, ask(qa.key, ALICE))).toContain("is not protected: one person deletes");
  });

  it("a rehearsal deletes nothing, whoever asks", () => {
    const rehearsal = withReminder(newRun({ params: { env: "prod" }, dryRun: true }, YAML));
    expect(refusal(rehearsal.run, claim(rehearsal.key, ALICE))).toContain(
      "belongs to a rehearsal (dry run): nothing is deleted",
    );
    expect(refusal(rehearsal.run, ask(rehearsal.key, ALICE))).toContain("belongs to a rehearsal");
  });
});
