import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createOffsetClock } from "../../src/core/clock.js";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import { type StatusPageDouble, startStatusPageDouble } from "../support/status-page-double.js";

/**
 * Live window communications over the wire: #business-updates hears of the start, the overrun
 * (with the new estimate) and the end (with the actual downtime); the status page gets the same
 * three moments as JSON POSTs with its Authorization header; a rehearsal posts none of them.
 */

const ALICE = "UALICE";
const MINUTE = 60_000;
let dir: string;
let page: StatusPageDouble;
let h: Harness;

const checklist = (url: string) => `
id: window-comms
title: Window comms
summary: A short window with an audience
stakeholders: "#business-updates"
status_page:
  url: ${url}/api/incidents
  auth_header_env: STATUS_PAGE_TOKEN
  body:
    state: "{{run.update}}"
    eta: "{{run.eta}}"
    downtime: "{{run.downtime}}"
    planned: "{{run.planned_downtime}}"
phases:
  - id: all
    title: All
    steps:
      - id: stop-app
        title: Stop the app
        duration: 5m
        downtime: start
      - id: migrate
        title: Migrate
        duration: 10m
        details: "Tell support: back by {{run.eta}}, down {{run.downtime}} of {{run.planned_downtime}} planned"
        expect: "Done by {{run.planned_end}}"
      - id: start-app
        title: Start the app
        duration: 5m
        downtime: end
`;

beforeAll(async () => {
  page = await startStatusPageDouble();
  dir = await mkdtemp(join(tmpdir(), "preflight-window-"));
  await writeFile(join(dir, "window-comms.yaml"), checklist(page.url));
  process.env.STATUS_PAGE_TOKEN = "Bearer status-secret";
});
afterAll(async () => {
  await page.close();
});
afterEach(async () => {
  await h.stop();
});

const business = () => h.slack.messages("#business-updates").map((message) => message.text ?? "");

async function complete(stepId: string) {
  const button = await h.slack.waitFor(() =>
    h.buttons().find((b) => b.actionId === "step_complete" && b.stepId === stepId),
  );
  await h.click(button, ALICE);
  await h.settle();
}

describe("live window communications", () => {
  it("stakeholders and the status page hear of the start, the overrun and the end with real figures", async () => {
    const clock = createOffsetClock();
    h = await startHarness({ checklistsDir: dir, bot: { clock, statusPageRetryMs: [20, 40] } });
    // The first POST meets a status page that is briefly down: it is tried again, not lost.
    page.failNextRequests(1);
    await h.command("start window-comms", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await expect.poll(business).toHaveLength(1);
    expect(business()[0]).toMatch(
      /^🔧 Maintenance started: "Window comms"\. Expected to end by (?:\d{4}-\d\d-\d\d )?\d\d:\d\d UTC; planned downtime 20m\. Updates follow here\.$/,
    );

    await complete("stop-app");
    // The step's own text reads the live figures as the run message is drawn, not the templates.
    const migrate = h.messageText();
    expect(migrate).toMatch(
      /Tell support: back by (?:\d{4}-\d\d-\d\d )?\d\d:\d\d UTC, down 0s of 20m planned\\n_Expect:_ Done by (?:\d{4}-\d\d-\d\d )?\d\d:\d\d UTC/,
    );
    expect(migrate).not.toContain("{{run.");
    clock.advance(40 * MINUTE);
    // 40 minutes in with 5 minutes of steps left: 25 minutes past the announced 20.
    await complete("migrate");
    await expect.poll(business).toHaveLength(2);
    expect(business()[1]).toMatch(
      /^⏳ "Window comms" is taking longer than announced: now expected to end at (?:\d{4}-\d\d-\d\d )?\d\d:\d\d UTC \(announced (?:\d{4}-\d\d-\d\d )?\d\d:\d\d UTC, 25m later\)\.$/,
    );

    clock.advance(5 * MINUTE);
    await complete("start-app");
    await h.click(h.button("run_finish"), ALICE);
    await h.settle();
    await expect.poll(business).toHaveLength(3);
    expect(business()[2]).toMatch(
      /^✅ Maintenance finished: "Window comms" ended at (?:\d{4}-\d\d-\d\d )?\d\d:\d\d UTC after 45m; everything is back\. Actual downtime: 45m \(planned 20m\)\.$/,
    );

    await expect.poll(() => page.requests.length).toBe(3);
    expect(page.requests.map((request) => (request.body as { state: string }).state)).toEqual([
      "start",
      "overrun",
      "end",
    ]);
    expect(page.requests.map((request) => request.headers.authorization)).toEqual([
      "Bearer status-secret",
      "Bearer status-secret",
      "Bearer status-secret",
    ]);
    expect(page.requests[2]?.body).toMatchObject({ downtime: "45m", planned: "20m" });
    expect((await h.run()).postFailures).toEqual([]);
  });

  it("a stakeholders channel Slack refuses is recorded on the run and holds nothing back", async () => {
    h = await startHarness({ checklistsDir: dir });
    h.slack.failAlways("chat.postMessage", "channel_not_found", "#business-updates");
    await h.command("start window-comms", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await expect
      .poll(async () => (await h.run()).postFailures.map((failure) => [failure.what, failure.error]))
      .toContainEqual(["the stakeholder update (start) to #business-updates", "channel_not_found"]);
    await complete("stop-app");
    expect((await h.run()).steps[0]?.status).toBe("done");
    expect(h.threadTexts().join("\n")).toContain("Stop the app");
  });

  it("a rehearsal shows them in its own thread and posts or calls nothing", async () => {
    const before = page.requests.length;
    h = await startHarness({ checklistsDir: dir });
    await h.command("start window-comms dry_run=true", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    for (const step of ["stop-app", "migrate", "start-app"]) await complete(step);
    await h.click(h.button("run_finish"), ALICE);
    await h.settle();
    await expect
      .poll(() => h.threadTexts().filter((text) => text.includes("would post to #business-updates")).length)
      .toBe(2);
    expect(h.threadTexts().some((text) => text.includes("Status page (not called in a rehearsal)"))).toBe(
      true,
    );
    expect(business()).toEqual([]);
    expect(page.requests.length).toBe(before);
  });
});
