import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import {
  appHomeOpenedEvent,
  homeActionPayload,
  overflowChoicePayload,
  sendEvent,
  sendInteraction,
  viewSubmissionPayload,
} from "../support/slack-requests.js";

/** The run message's overflow menu (hand over, change buddy, reassign), App Home reminders, group deciders. */
const CHECKLIST = `
id: menu
title: Menu demo
summary: People from the run message
phases:
  - id: only
    title: Only
    steps:
      - id: one
        title: First step
      - id: two
        title: Second step
reminders:
  - id: check-graphs
    on: run.started
    after: 2d
    text: Check the graphs
`;

/** A go/no-go decided by a user group (an @handle resolves to this id at load: core tests). */
const GROUP_DECIDES = `
id: go
title: Group go/no-go
summary: On-call decides
phases:
  - id: main
    title: Main
    steps:
      - id: go
        title: Go / no-go
        decision: { question: Go ahead?, decider: SONCALL, options: [continue, abort] }
      - id: after
        title: After
`;

const ALICE = "UALICE";
const BOB = "UBOB";
const DANA = "UDANA";
const CAROL = "UCAROL";
const ONCALL = { id: "SONCALL", handle: "oncall", users: [CAROL] };

let dir: string;
let h: Harness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "preflight-menu-"));
  await writeFile(join(dir, "menu.yaml"), CHECKLIST);
  await writeFile(join(dir, "go.yaml"), GROUP_DECIDES);
});
afterEach(async () => {
  await h.stop();
});

type Overflow = { type: string; action_id: string; options: { text: { text: string }; value: string }[] };

/** Chooses an option of the run message's overflow menu as `user`, then submits its form naming `to`. */
async function handOverFromMenu(user: string, to: string) {
  const menu = (h.runMessage().blocks as { type: string; elements?: Overflow[] }[])
    .flatMap((b) => (b.type === "actions" ? (b.elements ?? []) : []))
    .find((e) => e.type === "overflow");
  const option = menu?.options.find((o) => o.text.text === "Hand over…");
  expect(option).toBeDefined();
  const opensBefore = h.slack.callsTo("views.open").length;
  await sendInteraction(
    h.url,
    SIGNING_SECRET,
    overflowChoicePayload({
      userId: user,
      channelId: CHANNEL,
      messageTs: h.runMessage().ts,
      actionId: menu?.action_id ?? "",
      option: option ?? { text: { text: "" }, value: "" },
    }),
  );
  const opened = await h.slack.waitFor(() => h.slack.callsTo("views.open")[opensBefore]);
  const view = opened.args.view as { callback_id: string; private_metadata: string };
  await sendInteraction(
    h.url,
    SIGNING_SECRET,
    viewSubmissionPayload({
      userId: user,
      callbackId: view.callback_id,
      privateMetadata: view.private_metadata,
      values: { person_block: { person_input: { type: "users_select", selected_user: to } } },
    }),
  );
  await h.settle();
}

describe("the run message's overflow menu", () => {
  it("hands the run over when its owner asks, and refuses anyone else", async () => {
    h = await startHarness({ checklistsDir: dir });
    await h.command(`start menu buddy=<@${BOB}|bob>`, ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();

    await handOverFromMenu("UDAVE", DANA);
    const refusal = await h.slack.waitFor(() => h.ephemeralsTo("UDAVE").at(-1));
    expect(refusal).toBe("Only the run's owner <@UALICE> or buddy <@UBOB> may hand it over.");
    expect((await h.run()).owner).toBe(ALICE);

    await handOverFromMenu(ALICE, DANA);
    await expect.poll(async () => (await h.run()).owner).toBe(DANA);
    expect(h.threadTexts().join("\n")).toContain("<@UDANA>");
  });
});

describe("App Home", () => {
  it("lists the reminders of a person's runs, and its Done handles the reminder", async () => {
    h = await startHarness({ checklistsDir: dir });
    await h.command("start menu", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await expect.poll(async () => Object.keys((await h.run()).reminders).length).toBe(1);
    const home = async (user: string) => {
      const before = h.slack.callsTo("views.publish").length;
      await sendEvent(h.url, SIGNING_SECRET, appHomeOpenedEvent(user));
      await h.slack.waitFor(() => h.slack.callsTo("views.publish")[before]);
      return JSON.stringify(h.slack.homeView(user)?.blocks);
    };
    const alices = await home(ALICE);
    expect(alices).toContain("Reminders of your runs");
    expect(alices).toContain("Check the graphs");
    expect(await home(DANA)).not.toContain("Check the graphs");

    const blocks = h.slack.homeView(ALICE)?.blocks as {
      elements?: { action_id?: string; value?: string }[];
    }[];
    const done = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === "home_reminder_done");
    await sendInteraction(
      h.url,
      SIGNING_SECRET,
      homeActionPayload({ userId: ALICE, actionId: "home_reminder_done", value: done?.value ?? "" }),
    );
    await expect.poll(async () => Object.values((await h.run()).reminders)[0]?.handled?.outcome).toBe("done");
    await expect
      .poll(() => JSON.stringify(h.slack.homeView(ALICE)?.blocks))
      .not.toContain("Check the graphs");
  });
});

describe("a user group deciding a decision point", () => {
  it("lets a member decide and refuses the owner, naming the group", async () => {
    h = await startHarness({ checklistsDir: dir });
    h.slack.setUserGroup(ONCALL);
    await h.command("start go", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await h.click(h.button("decide_continue", "go"), ALICE);
    await h.submitLastModal(ALICE, "looks fine");
    await h.settle();
    const refusal = await h.slack.waitFor(() => h.ephemeralsTo(ALICE).at(-1));
    expect(refusal).toBe('Only members of @oncall decide "Go / no-go" (the checklist names the decider).');
    expect((await h.run()).steps[0]?.status).toBe("pending");

    await h.click(h.button("decide_continue", "go"), CAROL);
    await h.submitLastModal(CAROL, "all green");
    await expect.poll(async () => (await h.run()).steps[0]?.status).toBe("done");
  });
});
