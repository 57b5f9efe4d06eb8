import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/bot-harness.js";
import { type RdsDouble, startRdsDouble } from "../support/rds-double.js";

const ALICE = "UALICE";
const BOB = "UBOB";

let h: Harness;
let rds: RdsDouble;
beforeEach(async () => {
  rds = await startRdsDouble();
  rds.setTransitions({ modifyStatuses: ["modifying"], snapshotStatuses: ["creating"], stepMs: 100 });
  rds.addInstance({ id: "example-qa", engineVersion: "5.7.44", parameterGroup: "default.mysql5.7" });
  h = await startHarness({ rds });
});
afterEach(async () => {
  await h.stop();
  await rds.close();
});

const status = async (stepId: string) => (await h.run()).steps.find((s) => s.id === stepId)?.status;

async function click(actionId: string, stepId: string | undefined, user: string) {
  const button = await h.slack.waitFor(() => h.button(actionId, stepId), 15_000);
  expect((await h.click(button, user)).status).toBe(200);
  await h.settle();
}

/** A button that asks for words: the click opens the modal, the reason is submitted. */
async function clickWithReason(actionId: string, stepId: string | undefined, user: string, reason: string) {
  const opened = h.slack.callsTo("views.open").length;
  await click(actionId, stepId, user);
  await h.slack.waitFor(() => h.slack.callsTo("views.open")[opened]);
  expect((await h.submitLastModal(user, reason)).status).toBe(200);
  await h.settle();
}

async function automated(stepId: string, expected: RegExp) {
  await click("step_start", stepId, ALICE);
  await expect.poll(() => status(stepId), { timeout: 10_000 }).toMatch(expected);
  await h.settle();
}

describe("a db-upgrade run that rolls back through the snapshot restore", () => {
  it("go/no-go, an approved point of no return that fails at RDS, the decider rolls back, the restore runs, rolled back", async () => {
    await h.command(`start db-upgrade env=qa buddy=<@${BOB}|bob>`, ALICE);
    await h.slack.waitFor(() => h.slack.messages("CINVOICING")[0]);
    await h.settle();
    for (const stepId of [
      "check-access",
      "check-permissions",
      "prepare-maintenance-page",
      "enable-maintenance-page",
      "verify-maintenance-page",
    ])
      await click("step_complete", stepId, ALICE);
    await automated("take-snapshot", /done/);

    // The decision point: only the decider (the buddy) picks, and the run waits for it.
    expect(h.messageText()).toContain("Is everything ready to upgrade example-qa");
    expect(h.buttons().some((b) => b.stepId === "modify-instance" && b.actionId === "step_start")).toBe(
      false,
    );
    await clickWithReason("decide_continue", "go-no-go", ALICE, "looks fine to me");
    expect(h.ephemeralsTo(ALICE).at(-1)).toContain("decides");
    await clickWithReason("decide_continue", "go-no-go", BOB, "snapshot available, checks clean");

    // The point of no return says so before anyone clicks, and waits for a teammate's approval.
    expect(h.messageText()).toContain("Point of no return");
    rds.failNext("ModifyDBInstance", "AccessDenied");
    await click("step_start", "modify-instance", ALICE);
    expect(await status("modify-instance")).toBe("awaiting_approval");
    expect(rds.callsTo("ModifyDBInstance")).toHaveLength(0);
    await click("step_approve", "modify-instance", BOB);
    await expect.poll(() => status("modify-instance"), { timeout: 10_000 }).toBe("failed");
    await h.settle();

    // The decider rolls back: the rollback of each step done so far, newest first.
    await clickWithReason(
      "run_roll_back",
      undefined,
      BOB,
      "no IAM permission to modify; restore and retry next week",
    );
    const rolling = await h.run();
    expect(rolling.plan.phases.at(-1)?.steps.map((s) => s.id)).toEqual([
      "undo-modify-instance",
      "undo-take-snapshot",
      "undo-enable-maintenance-page",
    ]);
    expect(h.messageText()).toContain("Rolling back");
    await automated("undo-modify-instance", /awaiting_verification/);
    expect(rds.instance("example-qa-restored")).toMatchObject({
      status: "available",
      engineVersion: "5.7.44",
    });
    expect(rds.callsTo("RestoreDBInstanceFromDBSnapshot")[0]?.params).toMatchObject({
      DBSnapshotIdentifier: rolling.params.snapshot,
      DBInstanceIdentifier: "example-qa-restored",
    });
    await click("step_verify", "undo-modify-instance", BOB);
    await click("step_complete", "undo-take-snapshot", ALICE);
    await click("step_complete", "undo-enable-maintenance-page", ALICE);
    expect(h.button("run_finish").text).toBe("Finish roll back");
    await click("run_finish", undefined, ALICE);

    const run = await h.run();
    expect(run.status).toBe("rolled_back");
    expect(h.messageText()).toContain("Rolled back");
    expect(h.buttons()).toEqual([]);
    // The post-mortem shows both paths, with times, and the decision.
    const file = await h.slack.waitFor(() => h.slack.uploads.find((u) => u.completed), 10_000);
    const markdown = file.content.toString("utf8");
    expect(markdown).toContain("↩️ Rolled back");
    expect(markdown).toContain("## ↩️ Roll back");
    expect(markdown).toContain("no IAM permission to modify");
    expect(markdown).toMatch(
      /\| \d+ \| Upgrade example-qa to MySQL 8\.0\.32 .*\| failed: AWS denied ModifyDBInstance/,
    );
    expect(markdown).toMatch(/\| \| \*\*Roll back\*\* \|/);
    expect(markdown).toMatch(/\| \d+ \| Undo: Upgrade example-qa .*\| done \| .*@ubob \| \d\d:\d\d \|/i);
    expect(markdown).toContain("→ **continue** by @ubob: snapshot available, checks clean");
  });
});
