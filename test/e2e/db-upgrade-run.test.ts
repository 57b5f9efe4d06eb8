import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/bot-harness.js";
import { type RdsDouble, startRdsDouble } from "../support/rds-double.js";

const ALICE = "UALICE";
const BOB = "UBOB";
const CAROL = "UCAROL";

let h: Harness;
let rds: RdsDouble;
beforeEach(async () => {
  rds = await startRdsDouble();
  rds.setTransitions({
    modifyStatuses: ["modifying", "upgrading"],
    snapshotStatuses: ["creating"],
    stepMs: 150,
  });
  rds.addInstance({ id: "example-qa", engineVersion: "5.7.44", parameterGroup: "default.mysql5.7" });
  rds.addInstance({ id: "example-prod", engineVersion: "5.7.44", parameterGroup: "default.mysql5.7" });
  h = await startHarness({ rds });
});
afterEach(async () => {
  await h.stop();
  await rds.close();
});

/** Steps Preflight runs itself: clicked Start, then done when RDS says so. */
const AUTOMATED = new Set(["take-snapshot", "modify-instance", "wait-for-upgrade", "verify-database"]);

const STEPS = [
  "check-access",
  "check-permissions",
  "prepare-maintenance-page",
  "enable-maintenance-page",
  "verify-maintenance-page",
  "take-snapshot",
  "go-no-go",
  "modify-instance",
  "wait-for-upgrade",
  "verify-database",
  "disable-maintenance-page",
  "verify-site",
  "confirm-snapshot-reminder",
  "notify-business",
];

/** Clicks a button (once the message offers it) and waits until what it causes is visible. */
async function clickAndSettle(actionId: string, stepId: string | undefined, user: string) {
  // An automated step's result refreshes the message in the background: wait for the button.
  const button = await h.slack.waitFor(() => h.button(actionId, stepId), 15_000);
  const response = await h.click(button, user);
  expect(response.status).toBe(200);
  await h.settle();
}

describe("a db-upgrade run driven through Slack's wire protocol", () => {
  it("start, every step, a refused self-verification, a teammate's verification, a skip, a thread note, finish", async () => {
    const started = await h.command(`start db-upgrade env=qa buddy=<@${BOB}|bob>`, ALICE);
    expect(started.status).toBe(200);
    await h.slack.waitFor(() => h.slack.messages("CINVOICING")[0]);
    await h.settle();
    expect(h.messageText()).toContain("RDS MySQL 5.7 → 8.0 upgrade");
    expect(h.messageText()).toContain(`<@${ALICE}>`);
    expect(
      h
        .buttons()
        .filter((b) => b.actionId === "step_start")
        .map((b) => b.stepId),
    ).toEqual(["check-access"]);

    for (const stepId of STEPS) {
      if (stepId === "check-permissions") {
        // A skip asks for a reason in a modal, and the reason lands in the timeline.
        await h.click(h.button("step_skip", stepId), ALICE);
        const submitted = await h.submitLastModal(ALICE, "grants were checked in the QA rehearsal yesterday");
        expect(submitted.status).toBe(200);
        await h.settle();
        continue;
      }
      if (stepId === "go-no-go") {
        // A decision point: the buddy decides, with a reason.
        const opened = h.slack.callsTo("views.open").length;
        await clickAndSettle("decide_continue", stepId, BOB);
        // The decision's own modal, not the skip's from before.
        await h.slack.waitFor(() => h.slack.callsTo("views.open")[opened]);
        expect((await h.submitLastModal(BOB, "snapshot available, checks clean")).status).toBe(200);
        await h.settle();
        expect((await h.run()).steps.find((s) => s.id === stepId)?.status).toBe("done");
        continue;
      }
      if (AUTOMATED.has(stepId)) {
        await clickAndSettle("step_start", stepId, ALICE);
        // The point of no return waits for a teammate's approval before its call is made.
        if (stepId === "modify-instance") await clickAndSettle("step_approve", stepId, BOB);
        await expect
          .poll(async () => (await h.run()).steps.find((s) => s.id === stepId)?.status, { timeout: 10_000 })
          .toMatch(/done|awaiting_verification/);
        await h.settle();
      } else {
        await clickAndSettle("step_complete", stepId, ALICE);
      }
      const state = (await h.run()).steps.find((s) => s.id === stepId);
      if (state?.status === "awaiting_verification") {
        expect(h.messageText()).toContain("waiting for a teammate to verify");
        // The person who completed it can't verify it: a private refusal, and nothing changes.
        await clickAndSettle("step_verify", stepId, ALICE);
        expect(h.ephemeralsTo(ALICE).at(-1)).toContain("so you can't verify it");
        expect((await h.run()).steps.find((s) => s.id === stepId)?.status).toBe("awaiting_verification");
        await clickAndSettle("step_verify", stepId, BOB);
      }
      expect((await h.run()).steps.find((s) => s.id === stepId)?.status).toMatch(/done|skipped/);
    }

    const reply = await h.threadReply(CAROL, "replica lag stayed under 1s the whole time");
    expect(reply.status).toBe(200);
    await expect
      .poll(async () => (await h.run()).notes.map((n) => [n.by, n.text, n.source]))
      .toEqual([[CAROL, "replica lag stayed under 1s the whole time", "thread"]]);

    await clickAndSettle("run_finish", undefined, ALICE);
    const run = await h.run();
    expect(run.status).toBe("finished");
    expect(run.steps.find((s) => s.id === "modify-instance")).toMatchObject({
      completedBy: ALICE,
      approvedBy: BOB,
      verifiedBy: BOB,
    });
    // The automated steps really ran against RDS, and their results flowed on.
    const snapshot = run.steps.find((s) => s.id === "take-snapshot");
    expect(snapshot?.results).toMatchObject({ id: run.params.snapshot, status: "available" });
    expect(rds.snapshot(run.params.snapshot ?? "")?.status).toBe("available");
    expect(rds.instance("example-qa")).toMatchObject({
      engineVersion: "8.0.32",
      parameterGroup: "custom-mysql80-v1",
      status: "available",
    });
    expect(run.steps.find((s) => s.id === "verify-database")?.results).toMatchObject({
      engine_version: "8.0.32",
    });
    expect(rds.callsTo("ModifyDBInstance")).toHaveLength(1);
    expect(run.steps.find((s) => s.id === "check-permissions")).toMatchObject({
      status: "skipped",
      skipReason: "grants were checked in the QA rehearsal yesterday",
    });

    // The message shows the outcome and offers no more buttons; the thread reads as the timeline.
    expect(h.messageText()).toMatch(/Finished/);
    expect(h.buttons()).toEqual([]);
    const thread = h.threadTexts().join("\n");
    expect(thread).toContain("grants were checked in the QA rehearsal yesterday");
    expect(thread).toMatch(/<@UBOB>.*verified/);
    expect(thread).toContain("waiting for verification");
    expect(thread).toContain("finished");
    // Every refusal and acceptance is in the run's log, with who and when.
    const log = await h.bot.store.log(run.id);
    expect(log.filter((entry) => !entry.accepted).map((entry) => [entry.by, entry.refusal?.code])).toEqual(
      expect.arrayContaining([[ALICE, "self_verification"]]),
    );
  });

  it("rejects a forged signature and a stale timestamp with 401", async () => {
    expect((await h.command("help", ALICE, { signature: "v0=deadbeef" })).status).toBe(401);
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    expect((await h.command("help", ALICE, { timestampSec: tenMinutesAgo })).status).toBe(401);
    expect((await h.command("help", ALICE)).status).toBe(200);
  });
});
