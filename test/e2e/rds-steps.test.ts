import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import { type RdsDouble, startRdsDouble } from "../support/rds-double.js";
import { blockActionPayload, sendInteraction, viewSubmissionPayload } from "../support/slack-requests.js";

const SNAPSHOT_CHECKLIST = `
id: snapshot-only
title: Snapshot only
summary: One automated snapshot and a reminder to delete it
parameters:
  instance: { type: string, default: orders-db }
phases:
  - id: only
    title: Only
    steps:
      - id: take-snapshot
        title: Snapshot {{instance}}
        action: { type: rds.snapshot, target: instance, identifier: "{{instance}}", snapshot: "{{instance}}-before-{{date}}" }
      - id: after
        title: Look at it
reminders:
  - id: delete-snapshot
    on: step.done
    step: take-snapshot
    after: 1s
    keep_on_abort: true
    text: Delete snapshot {{steps.take-snapshot.id}}
    action: { type: rds.delete_snapshot, target: instance, snapshot: "{{steps.take-snapshot.id}}" }
`;

/** The same, in an environment marked protected: deleting the snapshot needs two people. */
const PROTECTED_CHECKLIST = SNAPSHOT_CHECKLIST.replace("id: snapshot-only", "id: snapshot-protected")
  .replace(
    "  instance: { type: string, default: orders-db }",
    "  instance: { type: string, default: orders-db }\n  env: { type: enum, values: [qa, prod], default: prod }",
  )
  .concat("rules:\n  environment: env\n  environments:\n    prod: { protected: true }\n");

const ALICE = "UALICE";
const BOB = "UBOB";
let dir: string;
let h: Harness;
let rds: RdsDouble;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "preflight-rds-"));
  await writeFile(join(dir, "snapshot-only.yaml"), SNAPSHOT_CHECKLIST);
  await writeFile(join(dir, "snapshot-protected.yaml"), PROTECTED_CHECKLIST);
});
afterEach(async () => {
  await h.stop();
  await rds.close();
});

async function start(options: { checklistsDir?: string; rdsNow?: () => number } = {}) {
  rds = await startRdsDouble(options.rdsNow ? { now: options.rdsNow } : {});
  rds.setTransitions({
    modifyStatuses: ["modifying", "upgrading"],
    snapshotStatuses: ["creating"],
    stepMs: 150,
  });
  rds.addInstance({ id: "orders-db", allocatedStorage: 20 });
  rds.addInstance({ id: "example-prod", engineVersion: "5.7.44" });
  h = await startHarness({ rds, ...(options.checklistsDir ? { checklistsDir: options.checklistsDir } : {}) });
}

const stepStatus = async (stepId: string) => (await h.run()).steps.find((s) => s.id === stepId);

describe("automated RDS steps", () => {
  it("a failure shows what AWS said on the step, with a Retry button that runs it again", async () => {
    await start({ checklistsDir: dir });
    rds.failNext("CreateDBSnapshot", "AccessDenied");
    await h.command("start snapshot-only", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await h.click(h.button("step_start", "take-snapshot"), ALICE);
    await expect
      .poll(async () => (await stepStatus("take-snapshot"))?.status, { timeout: 8_000 })
      .toBe("failed");
    await h.settle();
    const failure = (await stepStatus("take-snapshot"))?.failure ?? "";
    expect(failure).toMatch(/AWS denied CreateDBSnapshot/);
    expect(h.messageText()).toContain("failed: AWS denied CreateDBSnapshot");
    expect(h.threadTexts().join("\n")).toContain("Retry it, or skip it with a reason.");
    const retry = h.button("step_start", "take-snapshot");
    expect(retry.text).toBe("Retry");
    await h.click(retry, ALICE);
    await expect
      .poll(async () => (await stepStatus("take-snapshot"))?.status, { timeout: 8_000 })
      .toBe("done");
    expect((await stepStatus("take-snapshot"))?.results).toMatchObject({
      status: "available",
      size_gib: "20",
    });
  });

  it("a dry run shows every call it would make and makes none", async () => {
    await start({ checklistsDir: dir });
    await h.command("start snapshot-only dry_run=true", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await h.click(h.button("step_start", "take-snapshot"), ALICE);
    await expect
      .poll(async () => (await stepStatus("take-snapshot"))?.status, { timeout: 8_000 })
      .toBe("done");
    await h.settle();
    const results = (await stepStatus("take-snapshot"))?.results;
    expect(results?.calls).toMatch(
      /^CreateDBSnapshot DBInstanceIdentifier=orders-db DBSnapshotIdentifier=orders-db-before-\d{4}-\d{2}-\d{2} Tags=preflight:run=r-\S+ → DescribeDBSnapshots/,
    );
    expect(rds.calls).toEqual([]);
    expect(h.messageText()).toContain("🧪 Rehearsal (dry run)");
    expect(h.threadTexts().join("\n")).toContain("succeeded: dry_run=true, calls=CreateDBSnapshot");
  });

  it("the reminder's Delete snapshot checks it, shows age and size, asks, then deletes and records it", async () => {
    await start({ checklistsDir: dir });
    // The run's buddy deletes it: the snapshot is the run's, not anyone's in the channel.
    await h.command(`start snapshot-only buddy=<@${BOB}|bob>`, ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await h.click(h.button("step_start", "take-snapshot"), ALICE);
    const reminder = structuredClone(
      await h.slack.waitFor(
        () =>
          h.slack.messages(CHANNEL).find((m) => (m.text ?? "").includes("Delete snapshot orders-db-before-")),
        10_000,
      ),
    );
    const snapshotId = /Delete snapshot (\S+)/.exec(reminder.text ?? "")?.[1] ?? "";
    const value = JSON.stringify({ k: `${(await h.run()).id}.delete-snapshot.0`, r: (await h.run()).id });
    await sendInteraction(h.url, "test-signing-secret", {
      ...blockActionPayload({
        userId: BOB,
        channelId: CHANNEL,
        messageTs: reminder.ts,
        actionId: "reminder_delete_snapshot",
        value,
      }),
      message: { ts: reminder.ts, text: reminder.text },
    });
    const opened = await h.slack.waitFor(() => h.slack.callsTo("views.open")[0]);
    const view = opened.args.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    expect(JSON.stringify(view.blocks)).toContain(`*${snapshotId}*`);
    expect(JSON.stringify(view.blocks)).toMatch(/\d+s old \(taken <!date/);
    expect(JSON.stringify(view.blocks)).toContain("20 GiB, status available");
    expect(rds.callsTo("DeleteDBSnapshot")).toEqual([]);

    await sendInteraction(
      h.url,
      "test-signing-secret",
      viewSubmissionPayload({
        userId: BOB,
        callbackId: view.callback_id,
        privateMetadata: view.private_metadata,
        values: {},
      }),
    );
    await expect.poll(() => rds.callsTo("DeleteDBSnapshot").length).toBe(1);
    await expect
      .poll(() => h.slack.message(CHANNEL, reminder.ts)?.text)
      .toContain(`🗑️ <@UBOB> deleted snapshot \`${snapshotId}\``);
    const run = await h.run();
    expect(run.reminders[`${run.id}.delete-snapshot.0`]).toMatchObject({
      handled: { by: BOB, outcome: "action" },
      snapshotDeleted: { snapshot: snapshotId, by: BOB },
    });
  });
});

describe("the reminder's Delete snapshot in a protected environment", () => {
  /** Starts the run, takes the snapshot and waits for the reminder to delete it. */
  async function reminderOfRun(command: string) {
    await h.command(command, ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await h.click(h.button("step_start", "take-snapshot"), ALICE);
    return h.slack.waitFor(
      () =>
        h.slack.messages(CHANNEL).find((m) => (m.text ?? "").includes("Delete snapshot orders-db-before-")),
      10_000,
    );
  }
  async function clickDelete(user: string, ts: string, key: string, runId: string) {
    await sendInteraction(h.url, "test-signing-secret", {
      ...blockActionPayload({
        userId: user,
        channelId: CHANNEL,
        messageTs: ts,
        actionId: "reminder_delete_snapshot",
        value: JSON.stringify({ k: key, r: runId }),
      }),
      message: { ts, text: "reminder" },
    });
  }
  /** Submits the `nth` deletion form opened (1-based) as `user`. */
  async function submitDeletion(nth: number, user: string) {
    const opened = await h.slack.waitFor(() => h.slack.callsTo("views.open")[nth - 1]);
    const view = opened.args.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    await sendInteraction(
      h.url,
      "test-signing-secret",
      viewSubmissionPayload({
        userId: user,
        callbackId: view.callback_id,
        privateMetadata: view.private_metadata,
        values: {},
      }),
    );
    return view;
  }

  it("one person's click only asks; the asker can't confirm; a second person's confirmation deletes it", async () => {
    await start({ checklistsDir: dir });
    const reminder = await reminderOfRun("start snapshot-protected");
    const runId = (await h.run()).id;
    const key = `${runId}.delete-snapshot.0`;

    await clickDelete(ALICE, reminder.ts, key, runId);
    const asked = await submitDeletion(1, ALICE);
    expect(JSON.stringify(asked.blocks)).toContain("you ask, and a second person confirms");
    await expect
      .poll(() =>
        h.slack
          .thread(CHANNEL, reminder.ts)
          .map((m) => m.text ?? "")
          .join("\n"),
      )
      .toContain("🗑️ <@UALICE> asked to delete snapshot `orders-db-before-");
    expect(rds.callsTo("DeleteDBSnapshot")).toEqual([]);

    await clickDelete(ALICE, reminder.ts, key, runId);
    await h.settle();
    expect(
      await h.slack.waitFor(() =>
        h.ephemeralsTo(ALICE).find((t) => t.includes("second person must confirm")),
      ),
    ).toMatch(/^You asked to delete orders-db-before-\S+, so you can't confirm it: prod is protected/);
    expect(rds.callsTo("DeleteDBSnapshot")).toEqual([]);

    await clickDelete(BOB, reminder.ts, key, runId);
    const confirmed = await submitDeletion(2, BOB);
    expect(JSON.stringify(confirmed.blocks)).toContain("<@UALICE> asked to delete this snapshot");
    await expect.poll(() => rds.callsTo("DeleteDBSnapshot").length).toBe(1);
    const deletions = async () =>
      (await h.bot.store.log(runId)).filter((e) => e.type.includes("delet")).map((e) => [e.type, e.by]);
    await expect.poll(deletions).toEqual([
      ["deletion_requested", ALICE],
      ["snapshot_deleted", BOB],
    ]);
  });

  it("a rehearsal's reminder offers no Delete snapshot, and the handler refuses one anyway", async () => {
    await start({ checklistsDir: dir });
    await h.command("start snapshot-only dry_run=true", ALICE);
    const runMessage = await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await h.click(h.button("step_start", "take-snapshot"), ALICE);
    const reminder = await h.slack.waitFor(
      () => h.slack.thread(CHANNEL, runMessage.ts).find((m) => (m.text ?? "").includes("⏰ Reminder")),
      10_000,
    );
    expect(reminder.text).toMatch(
      /^🧪 Rehearsal \(dry run\) · ⏰ Reminder: Delete snapshot orders-db-before-/,
    );
    expect(JSON.stringify(reminder.blocks)).not.toContain("reminder_delete_snapshot");
    const runId = (await h.run()).id;
    await clickDelete(BOB, reminder.ts, `${runId}.delete-snapshot.0`, runId);
    expect(await h.slack.waitFor(() => h.ephemeralsTo(BOB)[0])).toContain(
      "This reminder belongs to a rehearsal (dry run): nothing is deleted.",
    );
    expect(h.slack.callsTo("views.open")).toEqual([]);
    expect(rds.calls).toEqual([]);
  });
});

describe("the db-upgrade modify in prod", () => {
  it("is refused without a teammate's approval, and runs once a teammate approved it", async () => {
    await start();
    // QA came first: a finished qa run of db-upgrade, as the environment rule wants.
    await h.redisEnv.redis.hset(
      `${h.redisEnv.prefix}closed:db-upgrade`,
      "r-qa",
      JSON.stringify({
        checklistId: "db-upgrade",
        status: "finished",
        environment: "qa",
        params: {},
        dryRun: false,
        hash: h.bot.catalog.get("db-upgrade")?.hash,
        closedAt: new Date().toISOString(),
      }),
    );
    // Prod upgrades need a buddy and a work ticket (checklists/db-upgrade.yaml).
    await h.command(`start db-upgrade env=prod buddy=<@${BOB}|bob> ticket=OPS-1`, ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    for (const stepId of [
      "check-access",
      "check-permissions",
      "prepare-maintenance-page",
      "enable-maintenance-page",
      "verify-maintenance-page",
    ]) {
      await h.click(h.button("step_complete", stepId), ALICE);
      await h.settle();
    }
    await h.click(h.button("step_start", "take-snapshot"), ALICE);
    await expect
      .poll(async () => (await stepStatus("take-snapshot"))?.status, { timeout: 8_000 })
      .toBe("done");
    // The go/no-go: the buddy decides.
    const opened = h.slack.callsTo("views.open").length;
    await h.click(await h.slack.waitFor(() => h.button("decide_continue", "go-no-go"), 15_000), BOB);
    await h.slack.waitFor(() => h.slack.callsTo("views.open")[opened]);
    await h.submitLastModal(BOB, "snapshot available");
    await h.settle();
    // The action's result refreshes the message in the background: wait for the next button.
    await h.click(await h.slack.waitFor(() => h.button("step_start", "modify-instance"), 15_000), ALICE);
    await h.settle();
    expect((await stepStatus("modify-instance"))?.status).toBe("awaiting_approval");
    expect(h.threadTexts().join("\n")).toContain("waits for approval");
    await h.click(h.button("step_approve", "modify-instance"), ALICE);
    expect(await h.slack.waitFor(() => h.ephemeralsTo(ALICE).find((t) => t.includes("approve")))).toBe(
      `You asked for "Upgrade example-prod to MySQL 8.0.32 with custom-mysql80-v1", so you can't approve it: a teammate must approve the change.`,
    );
    expect(rds.callsTo("ModifyDBInstance")).toEqual([]);

    await h.click(h.button("step_approve", "modify-instance"), BOB);
    await expect.poll(() => rds.callsTo("ModifyDBInstance").length, { timeout: 8_000 }).toBe(1);
    await expect
      .poll(async () => (await stepStatus("modify-instance"))?.status, { timeout: 8_000 })
      .toBe("awaiting_verification");
    expect(await stepStatus("modify-instance")).toMatchObject({ completedBy: ALICE, approvedBy: BOB });
  });
});

describe("while an action waits on RDS", () => {
  it("the run message shows the status it sees and the time waited, as it changes", async () => {
    // The snapshot is "creating" until the test has seen it so, then RDS's clock moves past it.
    let rdsClockAhead = 0;
    await start({ checklistsDir: dir, rdsNow: () => Date.now() + rdsClockAhead });
    rds.setTransitions({ snapshotStatuses: ["creating"], stepMs: 600_000 });
    await h.command("start snapshot-only", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await h.click(h.button("step_start", "take-snapshot"), ALICE);
    await expect
      .poll(() => h.messageText(), { timeout: 5_000 })
      .toMatch(/⏳ snapshot orders-db-before-\S+ creating/);
    rdsClockAhead = 600_000;
    await expect
      .poll(async () => (await stepStatus("take-snapshot"))?.status, { timeout: 8_000 })
      .toBe("done");
    await h.settle();
    expect(h.messageText()).not.toContain("⏳");
    expect(h.messageText()).toMatch(/id=orders-db-before-/);
  });
});
