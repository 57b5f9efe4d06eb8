import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/sandbox.js";
import { ARTIFACTS, CHROMIUM, launchChromium, MISSING, openTestPage } from "./chromium.js";
import { testSandboxOptions } from "./test-sandbox.js";

/**
 * The sandbox page in headless Chromium from Debian's `chromium` package (nothing downloads a
 * browser), driven by the names people and screen readers use: labelled text boxes, buttons named
 * by their text, dialogs named by their title; every click goes through the page, and every check
 * reads what the page shows. One browser serves the file (each test has a context of its own); a
 * first sandbox serves alice's first clicks, a second one a whole db-upgrade run played by two
 * people and a failure rehearsal.
 */

const TITLE = "RDS MySQL 5.7 → 8.0 upgrade";
const STEPS = 14;

let browser: Browser;

const actAs = (page: Page, label: string) =>
  page.getByRole("combobox", { name: "Acting as" }).selectOption({ label });
const ALICE = "alice (Alice Martin)";
const BOB = "bob (Bob Okafor)";
const CAROL = "carol (Carol Tanaka)";

/** Scrolls `item` to the top of its list, so a screenshot shows it from its heading. */
const scrollToTop = (item: Locator) => item.evaluate((el) => el.scrollIntoView({ block: "start" }));

/** The run message of `owner` in the channel list: the item with the checklist's heading and its owner. */
const runMessageOf = (messages: Locator, owner: string) =>
  messages
    .getByRole("listitem")
    .filter({ has: messages.page().getByRole("heading", { name: TITLE }) })
    .filter({ hasText: `Owner: @${owner}` });

describe.skipIf(!CHROMIUM)(`the sandbox page in Chromium${CHROMIUM ? "" : ` (${MISSING})`}`, () => {
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe("alice's first clicks", () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox(testSandboxOptions("browser"));
    });
    afterAll(async () => {
      await sandbox?.stop();
    });

    it("alice starts db-upgrade with bob as buddy, clicks through a step and skips one with a reason", async () => {
      const { page, errors } = await openTestPage(browser, { width: 1400, height: 1000 });
      await page.goto(sandbox.url);
      await actAs(page, ALICE);
      await page.getByRole("link", { name: "#invoicing-dev" }).click();

      const box = page.getByRole("textbox", { name: "Message #invoicing-dev" });
      await box.fill("/maintenance start db-upgrade buddy=@bob");
      await box.press("Enter");

      const messages = page.getByRole("list", { name: "Messages" });
      await messages.getByRole("heading", { name: TITLE }).waitFor();
      await messages.getByText("@alice").first().waitFor();

      // Each click waits for the message to be redrawn (redraws are paced per message), as a person
      // would: a click on a message drawn before the run moved on is refused as stale.
      // check-access is a sql.check and the sandbox has no database: it fails naming the variable to
      // set, and alice does it by hand (Done, the manual fallback).
      await messages.getByRole("button", { name: "Start", exact: true }).click();
      await messages
        .getByText(/set PREFLIGHT_DB_EXAMPLE_QA_URL/)
        .first()
        .waitFor();
      await messages.getByRole("button", { name: "Done", exact: true }).first().click();
      await messages.getByText(`1/${STEPS} steps done`).waitFor();
      await messages.getByRole("button", { name: "Skip", exact: true }).first().click();

      const dialog = page.getByRole("dialog", { name: "Skip step" });
      await dialog.getByRole("button", { name: "Skip step" }).click();
      await dialog.getByText("Please complete this required field.").waitFor();
      await dialog
        .getByRole("textbox", { name: "Why is this step skipped?" })
        .fill("grants checked in the QA rehearsal");
      await dialog.getByRole("button", { name: "Skip step" }).click();
      await dialog.waitFor({ state: "hidden" });

      await messages
        .getByRole("button", { name: /repl(y|ies)$/ })
        .first()
        .click();
      const thread = page.getByRole("complementary", { name: "Thread" });
      await thread.getByText(/@alice skipped .*grants checked in the QA rehearsal/).waitFor();

      await page.screenshot({ path: join(ARTIFACTS, "sandbox-run-message.png") });
      expect(errors).toEqual([]);
    });
  });

  describe("a db-upgrade run", () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox(testSandboxOptions("browser-run"));
    });
    afterAll(async () => {
      await sandbox?.stop();
    });

    async function openPage(channel: string) {
      const { page, errors } = await openTestPage(browser, { width: 1280, height: 800 });
      await page.goto(sandbox.url);
      await page.getByRole("link", { name: channel }).click();
      return { page, errors, messages: page.getByRole("list", { name: "Messages" }) };
    }

    it("alice and bob play db-upgrade end to end: automated steps, a refused self-verification, a note, the summary, the 30-day reminder", async () => {
      const { page, errors, messages } = await openPage("#invoicing-dev");
      await actAs(page, ALICE);
      const box = page.getByRole("textbox", { name: "Message #invoicing-dev" });
      await box.fill("/maintenance start db-upgrade buddy=@bob");
      await box.press("Enter");

      const run = runMessageOf(messages, "alice");
      await run.waitFor();
      await expect.poll(() => run.textContent()).toContain("Buddy: @bob");
      const button = (name: string) => run.getByRole("button", { name, exact: true }).first();
      /** Each click waits for the message to be redrawn with the step counted, as a person would. */
      const done = (n: number) => run.getByText(`${n}/${STEPS} steps done`).waitFor();
      const awaitingVerification = () => run.getByText(/waiting for a teammate to verify/).waitFor();

      /**
       * alice's own Verify of the step titled `title` is refused to her alone and changes nothing;
       * bob, switched to, doesn't see her refusal and verifies; then the page acts as alice again.
       */
      async function verifyAsBob(title: string, n: number) {
        await awaitingVerification();
        await button("Verify").click();
        const refusal = messages
          .getByRole("listitem")
          .filter({ hasText: "Only visible to you" })
          .filter({ hasText: `You completed "${title}", so you can't verify it` });
        await refusal.waitFor();
        await run.getByText(`${n - 1}/${STEPS} steps done`).waitFor();
        await awaitingVerification();
        await actAs(page, BOB);
        await expect.poll(() => messages.getByText("Only visible to you").count()).toBe(0);
        await button("Verify").click();
        await done(n);
        await actAs(page, ALICE);
      }

      // check-access is a sql.check; the sandbox has no database, so it fails naming the variable to
      // set, and alice does it by hand with its commands (Done, the manual fallback).
      await button("Start").click();
      await run
        .getByText(/set PREFLIGHT_DB_EXAMPLE_QA_URL/)
        .first()
        .waitFor();
      for (let n = 1; n <= 5; n++) {
        await button("Done").click();
        await done(n);
      }
      // The automated steps: Preflight calls the local RDS and moves on when RDS says so.
      const rds = page.getByRole("region", { name: "Local RDS" });
      await button("Start").click(); // take-snapshot
      await done(6);
      await expect
        .poll(() => rds.textContent())
        .toMatch(/📸 example-qa-pre-mysql8-upgrade-\d{4}-\d\d-\d\d available/);
      // go-no-go: the buddy decides, with a reason.
      await actAs(page, BOB);
      await button("Continue").click();
      const decision = page.getByRole("dialog", { name: "Decide: Continue" });
      await decision.getByRole("textbox", { name: "Why continue?" }).fill("snapshot available, checks clean");
      await decision.getByRole("button", { name: "Continue" }).click();
      await decision.waitFor({ state: "hidden" });
      await done(7);
      await actAs(page, ALICE);
      await button("Start").click(); // modify-instance: a point of no return, approved by a teammate
      await run
        .getByText(/waiting for a teammate to approve/)
        .first()
        .waitFor();
      await actAs(page, BOB);
      await button("Approve change").click();
      await actAs(page, ALICE);
      await awaitingVerification();
      await scrollToTop(run);
      await page.screenshot({ path: join(ARTIFACTS, "sandbox-run.png") });
      await verifyAsBob("Upgrade example-qa to MySQL 8.0.32 with custom-mysql80-v1", 8);
      await button("Start").click(); // wait-for-upgrade
      await done(9);
      await button("Done").click(); // verify-database, checked by hand here, which a teammate verifies
      await verifyAsBob("Check that example-qa runs MySQL 8.0.32 and still has the data", 10);
      await expect.poll(() => rds.textContent()).toMatch(/example-qa available · mysql 8\.0\.32/);
      await button("Done").click(); // disable-maintenance-page
      await done(11);
      await button("Done").click(); // verify-site, which a teammate verifies
      await verifyAsBob("Check that example.com works for customers", 12);
      for (let n = 13; n <= STEPS; n++) {
        await button("Done").click();
        await done(n);
      }

      // A reply in the run's thread becomes a note of the run.
      await run.getByRole("button", { name: /repl(y|ies)$/ }).click();
      const thread = page.getByRole("complementary", { name: "Thread" });
      const reply = thread.getByRole("textbox", { name: "Reply…" });
      await reply.fill("replica lag stayed under 1s the whole time");
      await reply.press("Enter");
      await thread.getByText("replica lag stayed under 1s the whole time").first().waitFor();

      await button("Finish run").click();
      await run
        .getByText(/Finished/)
        .first()
        .waitFor();
      // A finished run offers nothing more to click (the thread link aside).
      await expect
        .poll(async () =>
          (await run.getByRole("button").allTextContents()).filter((t) => !/repl(y|ies)$/.test(t)),
        )
        .toEqual([]);

      // The summary in the thread, then the post-mortem Markdown drawn as a document, note included.
      const summary = thread
        .getByRole("listitem")
        .filter({ has: page.getByRole("heading", { name: `Post-mortem: ${TITLE} (qa)` }) })
        .filter({ hasNot: page.getByRole("article") });
      await summary.waitFor();
      await expect.poll(() => summary.textContent()).toMatch(/Finished by @alice/);
      await expect.poll(() => summary.textContent()).toMatch(/Steps: 14 done · 0 skipped · 0 failed/);
      await expect.poll(() => summary.textContent()).toContain("Notes: 1");
      const markdown = thread.getByRole("article", { name: `File Post-mortem: ${TITLE}` });
      // The page draws the file's headings two levels down (# as h3), below the page's own.
      await markdown.getByRole("heading", { level: 3, name: `Post-mortem: ${TITLE} (qa)` }).waitFor();
      await markdown.getByRole("heading", { level: 4, name: "Timeline" }).waitFor();
      await markdown.getByRole("table").first().waitFor();
      await markdown.getByRole("heading", { level: 4, name: "Notes" }).waitFor();
      await markdown
        .getByRole("listitem")
        .filter({ hasText: "replica lag stayed under 1s the whole time" })
        .waitFor();
      expect(await markdown.textContent()).not.toContain("## ");
      await scrollToTop(summary);
      await scrollToTop(run);
      await page.screenshot({ path: join(ARTIFACTS, "sandbox-summary.png") });

      await page.getByRole("button", { name: "+30 days" }).click();
      const reminder = messages
        .getByRole("listitem")
        .filter({ hasText: "30 days ago we took the manual snapshot" });
      await reminder.getByRole("button", { name: "Delete snapshot…" }).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, "sandbox-reminder.png") });
      expect(errors).toEqual([]);
    });

    it("a failure rehearsal: AccessDenied on the snapshot, set from the page, shows on the step with Retry", async () => {
      const { page, errors, messages } = await openPage("#ops");
      await actAs(page, CAROL);
      const fault = page.getByRole("form", { name: "Make the next RDS call fail" });
      await fault.getByRole("combobox", { name: "Call" }).selectOption("CreateDBSnapshot");
      await fault.getByRole("combobox", { name: "Error" }).selectOption("AccessDenied");
      await fault.getByRole("button", { name: "Fail the next call" }).click();
      await fault.getByText("The next 1 CreateDBSnapshot call(s) fail with AccessDenied.").waitFor();

      const box = page.getByRole("textbox", { name: "Message #ops" });
      await box.fill("/maintenance start db-upgrade env=stage");
      await box.press("Enter");
      const run = runMessageOf(messages, "carol");
      await run.waitFor();
      const button = (name: string) => run.getByRole("button", { name, exact: true }).first();
      for (let n = 1; n <= 5; n++) {
        await button("Done").click();
        await run.getByText(`${n}/${STEPS} steps done`).waitFor();
      }
      await button("Start").click(); // take-snapshot
      await run.getByText(/\(AccessDenied\)/).waitFor();
      await button("Retry").waitFor();
      await page.screenshot({ path: join(ARTIFACTS, "sandbox-failed-step.png") });
      expect(errors).toEqual([]);
    });
  });
});
