import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../src/sandbox/sandbox.js";
import { REDIS_URL } from "../support/redis.js";
import { ARTIFACTS, CHROMIUM, launchChromium, MISSING } from "./chromium.js";

/**
 * The sandbox page in headless Chromium from Debian's `chromium` package (nothing downloads a
 * browser), driven by the names people and screen readers use: labelled text boxes, buttons
 * named by their text, dialogs named by their title.
 */

let sandbox: Sandbox;
let browser: BrowserContext;
let chrome: Awaited<ReturnType<typeof launchChromium>> | undefined;

describe.skipIf(!CHROMIUM)(`the sandbox page in Chromium${CHROMIUM ? "" : ` (${MISSING})`}`, () => {
  beforeAll(async () => {
    sandbox = await startSandbox({
      redisUrl: REDIS_URL,
      redisPrefix: `preflight-test-browser-${randomUUID().slice(0, 8)}:`,
      rdsStepMs: 300,
      actionPollMs: { first: 50, max: 200 },
    });
    chrome = await launchChromium({ width: 1400, height: 1000 });
    browser = chrome.browser;
  });
  afterAll(async () => {
    await chrome?.close();
    await sandbox?.stop();
  });

  it("alice starts db-upgrade with bob as buddy, clicks through a step and skips one with a reason", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.url);
    await page.getByRole("combobox", { name: "Acting as" }).selectOption({ label: "alice (Alice Martin)" });
    await page.getByRole("link", { name: "#invoicing-dev" }).click();

    const box = page.getByRole("textbox", { name: "Message #invoicing-dev" });
    await box.fill("/maintenance start db-upgrade buddy=@bob");
    await box.press("Enter");

    const messages = page.getByRole("list", { name: "Messages" });
    await messages.getByRole("heading", { name: "RDS MySQL 5.7 → 8.0 upgrade" }).waitFor();
    await messages.getByText("@alice").first().waitFor();

    // Each click waits for the message to be redrawn (redraws are paced, ~1 per second per message),
    // as a person would: a click on a message drawn before the run moved on is refused as stale.
    // check-access is a sql.check and the sandbox has no database: it fails naming the variable to
    // set, and alice does it by hand (Done, the manual fallback).
    await messages.getByRole("button", { name: "Start", exact: true }).click();
    await messages
      .getByText(/set PREFLIGHT_DB_EXAMPLE_QA_URL/)
      .first()
      .waitFor();
    await messages.getByRole("button", { name: "Done", exact: true }).first().click();
    await messages.getByText("1/14 steps done").waitFor();
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

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "sandbox-run-message.png") });
    expect(errors).toEqual([]);
  });
});
