import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import {
  appHomeOpenedEvent,
  blockActionPayload,
  homeActionPayload,
  overflowChoicePayload,
  sendEvent,
  sendInteraction,
  viewSubmissionPayload,
} from "../support/slack-requests.js";
import { promoteWhenScheduled } from "../support/timers.js";

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
  - id: rotate-keys
    on: run.started
    after: 2d
    text: Rotate the keys
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

/** Production needs a buddy. */
const GUARDED = `
id: guarded
title: Guarded change
summary: Prod needs a buddy
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
phases:
  - id: main
    title: Main
    steps:
      - id: change
        title: Change
rules:
  environment: env
  environments:
    prod: { buddy_required: true }
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
  await writeFile(join(dir, "guarded.yaml"), GUARDED);
});
afterEach(async () => {
  await h.stop();
});

type Overflow = { type: string; action_id: string; options: { text: { text: string }; value: string }[] };

/** Chooses an option of the run message's overflow menu as `user`: the form it opened, if any. */
async function chooseFromMenu(user: string, label: string) {
  const menu = (h.runMessage().blocks as { type: string; elements?: Overflow[] }[])
    .flatMap((b) => (b.type === "actions" ? (b.elements ?? []) : []))
    .find((e) => e.type === "overflow");
  const option = menu?.options.find((o) => o.text.text === label);
  expect(option).toBeDefined();
  const opensBefore = h.slack.callsTo("views.open").length;
  const repliesBefore = h.ephemeralsTo(user).length;
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
  // Either the form opens or the person is told why not.
  await h.slack.waitFor(
    () => h.slack.callsTo("views.open").length > opensBefore || h.ephemeralsTo(user).length > repliesBefore,
  );
  const opened = h.slack.callsTo("views.open")[opensBefore];
  return opened?.args.view as { callback_id: string; private_metadata: string } | undefined;
}

/** Submits a people form as `user`, naming `to`. */
async function submitPerson(
  user: string,
  view: { callback_id: string; private_metadata: string },
  to: string,
) {
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
  it("opens its forms only to the run's owner or buddy: anyone else is told why and who may, privately", async () => {
    h = await startHarness({ checklistsDir: dir });
    await h.command(`start menu buddy=<@${BOB}|bob>`, ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();

    const refused = [
      ["Hand over…", "hand it over"],
      ["Change buddy…", "name its buddy"],
      ["Reassign step…", "reassign its steps"],
    ];
    for (const [label] of refused) expect(await chooseFromMenu("UDAVE", label as string)).toBeUndefined();
    expect(h.ephemeralsTo("UDAVE")).toEqual(
      refused.map(([, what]) => `Only the run's owner <@UALICE> or buddy <@UBOB> may ${what}.`),
    );
    expect(h.slack.callsTo("views.open")).toHaveLength(0);

    // The engine still decides the submission: Alice's form, opened while she owned the run, is
    // refused once Bob has handed the run to Dana (Bob stays the buddy, Alice leads no more).
    const alices = await chooseFromMenu(ALICE, "Hand over…");
    expect(alices).toBeDefined();
    const bobs = await chooseFromMenu(BOB, "Hand over…");
    await submitPerson(BOB, bobs as NonNullable<typeof bobs>, DANA);
    await expect.poll(async () => (await h.run()).owner).toBe(DANA);
    expect(h.threadTexts().join("\n")).toContain("<@UDANA>");
    await submitPerson(ALICE, alices as NonNullable<typeof alices>, CAROL);
    const refusal = await h.slack.waitFor(() => h.ephemeralsTo(ALICE).at(-1));
    expect(refusal).toBe("Only the run's owner <@UDANA> or buddy <@UBOB> may hand it over.");
    expect((await h.run()).owner).toBe(DANA);
  });
});

describe("App Home", () => {
  it("lists the reminders of a person's runs; its Done and Snooze handle them and redraw their messages in the channel", async () => {
    h = await startHarness({ checklistsDir: dir });
    await h.command("start menu", ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    await expect.poll(async () => Object.keys((await h.run()).reminders).length).toBe(2);
    const runId = (await h.run()).id;
    // Both come due now: their messages with Done / Snooze are in the channel.
    for (const id of ["check-graphs", "rotate-keys"])
      await promoteWhenScheduled(h.bot.timers.queue, `${runId}.${id}.0`);
    const posted = (text: string) =>
      h.slack.messages(CHANNEL).find((m) => (m.text ?? "").startsWith(`⏰ Reminder: ${text}`));
    const graphs = await h.slack.waitFor(() => posted("Check the graphs"));
    const keys = await h.slack.waitFor(() => posted("Rotate the keys"));
    await expect
      .poll(async () => Object.values((await h.run()).reminders).every((r) => r.posted !== undefined))
      .toBe(true);

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

    const homeButton = (actionId: string, reminderId: string) => {
      const blocks = h.slack.homeView(ALICE)?.blocks as {
        elements?: { action_id?: string; value?: string }[];
      }[];
      const found = blocks
        .flatMap((b) => b.elements ?? [])
        .find((e) => e.action_id === actionId && (e.value ?? "").includes(`.${reminderId}.0"`));
      return found?.value ?? "";
    };
    const press = (actionId: string, reminderId: string) =>
      sendInteraction(
        h.url,
        SIGNING_SECRET,
        homeActionPayload({ userId: ALICE, actionId, value: homeButton(actionId, reminderId) }),
      );
    await press("home_reminder_done", "check-graphs");
    await press("home_reminder_snooze", "rotate-keys");
    const handled = async () =>
      Object.values((await h.run()).reminders).map((r) => [r.reminderId, r.occurrence, r.handled?.outcome]);
    await expect.poll(handled).toEqual([
      ["check-graphs", 0, "done"],
      ["rotate-keys", 0, "snoozed"],
      ["rotate-keys", 1, undefined],
    ]);
    await expect
      .poll(() => JSON.stringify(h.slack.homeView(ALICE)?.blocks))
      .not.toContain("Check the graphs");

    // Their messages in the channel say what was done and offer no buttons any more, as after a
    // click on them.
    const redrawn = (ts: string) => JSON.stringify(h.slack.message(CHANNEL, ts)?.blocks);
    await expect.poll(() => redrawn(graphs.ts)).toContain("✅ Done: <@UALICE>");
    await expect.poll(() => redrawn(keys.ts)).toContain("😴 Snoozed by <@UALICE> until");
    for (const ts of [graphs.ts, keys.ts]) {
      expect(redrawn(ts)).not.toContain("reminder_done");
      expect(redrawn(ts)).toContain("Reminder:");
    }
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

describe("a scheduled window whose environment needs a buddy", () => {
  it("is on its scheduler's Home tab, and its Start opens the buddy form, whose answer starts it", async () => {
    h = await startHarness({ checklistsDir: dir });
    const at = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    await h.command(`schedule guarded at ${at} env=prod`, ALICE);
    const announcement = await h.slack.waitFor(() =>
      h.slack.messages(CHANNEL).find((m) => (m.text ?? "").startsWith("📅")),
    );
    const windowId = /`\/maintenance cancel (w-[a-z0-9-]+)`/.exec(announcement.text ?? "")?.[1] ?? "";
    await sendEvent(h.url, SIGNING_SECRET, appHomeOpenedEvent(ALICE));
    const home = await h.slack.waitFor(() => h.slack.homeView(ALICE));
    expect(JSON.stringify(home.blocks)).toContain(`Guarded change`);
    expect(JSON.stringify(home.blocks)).toContain(windowId);

    await sendInteraction(h.url, SIGNING_SECRET, {
      ...blockActionPayload({
        userId: DANA,
        channelId: CHANNEL,
        messageTs: announcement.ts,
        actionId: "window_start",
        value: JSON.stringify({ w: windowId }),
      }),
      message: { ts: announcement.ts, text: announcement.text },
    });
    const opened = await h.slack.waitFor(() => h.slack.callsTo("views.open")[0]);
    const view = opened.args.view as {
      blocks: { block_id?: string }[];
      callback_id: string;
      private_metadata: string;
    };
    expect(view.blocks.map((b) => b.block_id)).toContain("buddy");
    expect(h.ephemeralsTo(DANA)).toEqual([]);
    await sendInteraction(
      h.url,
      SIGNING_SECRET,
      viewSubmissionPayload({
        userId: DANA,
        callbackId: view.callback_id,
        privateMetadata: view.private_metadata,
        values: { buddy: { value: { type: "users_select", selected_user: BOB } } },
      }),
    );
    await expect
      .poll(async () => (await h.bot.store.activeRuns(CHANNEL)).map((r) => [r.owner, r.buddy]))
      .toEqual([[DANA, BOB]]);
    await expect
      .poll(() => h.slack.message(CHANNEL, announcement.ts)?.text)
      .toMatch(/^▶️ <@UDANA> started the window: run `r-/);
  });
});
