import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mysql from "mysql2/promise";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/bot-harness.js";
import { type RdsDouble, startRdsDouble } from "../support/rds-double.js";

const ALICE = "UALICE";
const BOB = "UBOB";
const CAROL = "UCAROL";

/**
 * The shipped db-upgrade checklist against the RDS double, a real MariaDB standing in for the
 * instance (one database per test, reached through PREFLIGHT_DB_EXAMPLE_QA_URL) and a local site
 * that serves the maintenance page while it is switched on. MariaDB reports its own version, not
 * MySQL's 8.0.x: the copy of the checklist expects that version in verify-database, nothing else changes.
 */
const ROOT = "mysql://root@127.0.0.1:3306/test";
let dir: string;
let site: Server;
let siteUrl: string;
let maintenance = false;
let database: string;

async function sql(statement: string): Promise<unknown[]> {
  const conn = await mysql.createConnection(ROOT);
  try {
    const [rows] = await conn.query(statement);
    return rows as unknown[];
  } finally {
    await conn.end();
  }
}

beforeAll(async () => {
  const [{ version }] = (await sql("SELECT VERSION() AS version")) as [{ version: string }];
  const shipped = await readFile("checklists/db-upgrade.yaml", "utf8");
  const copy = shipped.replace(/^(\s+)version: "\{\{engine_version\}\}"$/m, `$1version: "${version}"`);
  expect(copy).not.toBe(shipped);
  dir = await mkdtemp(join(tmpdir(), "preflight-db-upgrade-"));
  await writeFile(join(dir, "db-upgrade.yaml"), copy);
  site = createServer((_req, res) => {
    res.writeHead(maintenance ? 503 : 200, { "content-type": "text/html" });
    res.end(maintenance ? "<h1>Scheduled maintenance</h1>" : "<h1>Invoicing</h1>");
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  site.closeAllConnections();
  await new Promise<void>((resolve) => site.close(() => resolve()));
});

let h: Harness;
let rds: RdsDouble;
beforeEach(async () => {
  maintenance = false;
  database = `pf_e2e_${randomBytes(4).toString("hex")}`;
  await sql(`CREATE DATABASE ${database}`);
  await sql(`CREATE TABLE ${database}.invoices (id INT PRIMARY KEY)`);
  await sql(`CREATE TABLE ${database}.customers (id INT PRIMARY KEY)`);
  rds = await startRdsDouble();
  rds.setTransitions({
    modifyStatuses: ["modifying", "upgrading"],
    snapshotStatuses: ["creating"],
    stepMs: 150,
  });
  rds.addInstance({ id: "example-qa", engineVersion: "5.7.44", parameterGroup: "default.mysql5.7" });
  rds.addInstance({ id: "example-prod", engineVersion: "5.7.44", parameterGroup: "default.mysql5.7" });
  h = await startHarness({
    rds,
    checklistsDir: dir,
    env: { PREFLIGHT_DB_EXAMPLE_QA_URL: `mysql://root@127.0.0.1:3306/${database}` },
  });
});
afterEach(async () => {
  await h.stop();
  await rds.close();
  await sql(`DROP DATABASE IF EXISTS ${database}`);
});

/** Steps Preflight runs itself: clicked Start, then done when RDS, the database or the site says so. */
const AUTOMATED = new Set([
  "check-access",
  "verify-maintenance-page",
  "take-snapshot",
  "modify-instance",
  "wait-for-upgrade",
  "verify-database",
  "verify-site",
]);

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
    const started = await h.command(`start db-upgrade env=qa site_url=${siteUrl} buddy=<@${BOB}|bob>`, ALICE);
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
        // The verifier sees what the check compared next to Verify.
        if (stepId === "verify-database") expect(h.messageText()).toMatch(/✔︎ tables is 2[\s\S]*```/);
        // The person who completed it can't verify it: a private refusal, and nothing changes.
        await clickAndSettle("step_verify", stepId, ALICE);
        expect(h.ephemeralsTo(ALICE).at(-1)).toContain("so you can't verify it");
        expect((await h.run()).steps.find((s) => s.id === stepId)?.status).toBe("awaiting_verification");
        await clickAndSettle("step_verify", stepId, BOB);
      }
      expect((await h.run()).steps.find((s) => s.id === stepId)?.status).toMatch(/done|skipped/);
      // The firewall rule is switched by hand: the local site follows.
      if (stepId === "enable-maintenance-page") maintenance = true;
      if (stepId === "disable-maintenance-page") maintenance = false;
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
    expect(run.steps.find((s) => s.id === "wait-for-upgrade")?.results).toMatchObject({
      engine_version: "8.0.32",
    });
    // The checks ran: version and table count recorded before, compared after; the site's answers.
    expect(run.steps.find((s) => s.id === "check-access")?.results).toMatchObject({ tables: "2" });
    expect(run.steps.find((s) => s.id === "verify-database")?.results).toMatchObject({ tables: "2" });
    expect(run.steps.find((s) => s.id === "verify-maintenance-page")?.results).toMatchObject({
      status: "503",
      matched: 'status is 503; body contains "maintenance"',
    });
    expect(run.steps.find((s) => s.id === "verify-site")?.results).toMatchObject({ status: "200" });
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

  it("a table count that differs after the upgrade fails verify-database, showing both numbers", async () => {
    await h.command(`start db-upgrade env=qa site_url=${siteUrl}`, ALICE);
    await h.slack.waitFor(() => h.slack.messages("CINVOICING")[0]);
    await h.settle();
    const automatedUntilDone = async (stepId: string) => {
      await clickAndSettle("step_start", stepId, ALICE);
      await expect
        .poll(async () => (await h.run()).steps.find((s) => s.id === stepId)?.status, { timeout: 10_000 })
        .toMatch(/done|awaiting_verification|failed/);
      await h.settle();
    };
    await automatedUntilDone("check-access");
    await automatedUntilDone("check-permissions");
    for (const stepId of ["prepare-maintenance-page", "enable-maintenance-page", "verify-maintenance-page"])
      await clickAndSettle("step_complete", stepId, ALICE);
    // A table appears meanwhile (a migration nobody announced, a job during the window).
    await sql(`CREATE TABLE ${database}.surprise (id INT)`);
    await automatedUntilDone("take-snapshot");
    // Go/no-go: the run has no buddy, so its owner decides; the point of no return needs a teammate.
    const opened = h.slack.callsTo("views.open").length;
    await clickAndSettle("decide_continue", "go-no-go", ALICE);
    await h.slack.waitFor(() => h.slack.callsTo("views.open")[opened]);
    expect((await h.submitLastModal(ALICE, "snapshot taken")).status).toBe(200);
    await h.settle();
    await clickAndSettle("step_start", "modify-instance", ALICE);
    await clickAndSettle("step_approve", "modify-instance", BOB);
    await expect
      .poll(async () => (await h.run()).steps.find((s) => s.id === "modify-instance")?.status, {
        timeout: 10_000,
      })
      .toMatch(/done|awaiting_verification/);
    await h.settle();
    await clickAndSettle("step_verify", "modify-instance", BOB);
    await automatedUntilDone("wait-for-upgrade");
    await automatedUntilDone("verify-database");

    const run = await h.run();
    expect(run.steps.find((s) => s.id === "check-access")?.results).toMatchObject({ tables: "2" });
    expect(run.steps.find((s) => s.id === "check-permissions")?.status).toBe("done");
    expect(run.steps.find((s) => s.id === "verify-database")).toMatchObject({
      status: "failed",
      failure: "tables: expected 2, found 3",
    });
    expect(h.messageText()).toContain("failed: tables: expected 2, found 3");
    expect(h.button("step_start", "verify-database").text).toBe("Retry");
  });

  it("rejects a forged signature and a stale timestamp with 401", async () => {
    expect((await h.command("help", ALICE, { signature: "v0=deadbeef" })).status).toBe(401);
    const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
    expect((await h.command("help", ALICE, { timestampSec: tenMinutesAgo })).status).toBe(401);
    expect((await h.command("help", ALICE)).status).toBe(200);
  });
});
