import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import {
  appHomeOpenedEvent,
  fileShareReplyEvent,
  homeActionPayload,
  messageShortcutPayload,
  sendEvent,
  sendInteraction,
  threadBroadcastEvent,
  viewSubmissionPayload,
} from "../support/slack-requests.js";

/** Assignees, user groups, the buddy a protected environment needs, hand-over, App Home, evidence. */
const PEOPLE = `
id: people
title: People demo
summary: Assignees, user groups and buddies
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
phases:
  - id: only
    title: Only
    steps:
      - id: backup
        title: Check the backup
        assignee: SDBA
      - id: change
        title: Apply the change
        verify: true
        verifiers: [SVERIFY]
      - id: wrap-up
        title: Wrap up
        assignee: buddy
rules:
  environment: env
  environments:
    prod: { protected: true, buddy_required: true }
`;

const ALICE = "UALICE"; // owner
const BOB = "UBOB"; // buddy
const CAROL = "UCAROL"; // in the DBA group
const DANA = "UDANA"; // takes the run over
const ERIN = "UERIN"; // in the verifier group
const DAVE = "UDAVE"; // in no group

let dir: string;
let h: Harness;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "preflight-people-"));
  await writeFile(join(dir, "people.yaml"), PEOPLE);
});
afterEach(async () => {
  await h.stop();
});

async function startPeople(extra = "") {
  h = await startHarness({ checklistsDir: dir });
  h.slack.setUserGroup({ id: "SDBA", handle: "dba", users: [CAROL] });
  h.slack.setUserGroup({ id: "SVERIFY", handle: "verifiers", users: [ERIN] });
  for (const [id, name] of [
    [ALICE, "alice"],
    [DANA, "dana"],
    [CAROL, "carol"],
    [ERIN, "erin"],
  ] as const)
    h.slack.setUser({ id, name });
  if (extra === "no-run") return;
  await h.command(`start people${extra}`, ALICE);
  await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
  await h.settle();
}

const stepStatus = async (stepId: string) => (await h.run()).steps.find((s) => s.id === stepId)?.status;
const clickAndSettle = async (actionId: string, user: string, stepId?: string) => {
  await h.click(h.button(actionId, stepId), user);
  await h.settle();
};
const home = async (user: string) => {
  await sendEvent(h.url, SIGNING_SECRET, appHomeOpenedEvent(user));
  return h.slack.waitFor(() => h.slack.homeView(user));
};
const markdown = async () => {
  const file = await h.slack.waitFor(
    () => h.slack.uploads.find((u) => u.completed && u.filename.endsWith("post-mortem.md")),
    8_000,
  );
  return file.content.toString("utf8");
};

describe("a step assigned to a user group, and a verifier group", () => {
  it("is done by a member, refused to others naming who may; the verifier sees it on their Home tab", async () => {
    await startPeople(` buddy=<@${BOB}|bob>`);
    expect(h.messageText()).toContain("assigned to <!subteam^SDBA>");
    await clickAndSettle("step_complete", DAVE, "backup");
    const refusal = await h.slack.waitFor(() => h.ephemeralsTo(DAVE)[0]);
    expect(refusal).toContain('"Check the backup" is assigned to members of');
    // The group reads as its @handle in a private reply, never as a mention of the group.
    expect(refusal).toContain("members of @dba:");
    expect(refusal).not.toContain("subteam");
    expect(refusal).toContain("only they or the run's owner <@UALICE> may complete it.");
    expect(await stepStatus("backup")).toBe("pending");

    await clickAndSettle("step_complete", CAROL, "backup");
    expect(await stepStatus("backup")).toBe("done");

    await clickAndSettle("step_complete", ALICE, "change");
    expect(await stepStatus("change")).toBe("awaiting_verification");

    const erins = JSON.stringify((await home(ERIN)).blocks);
    expect(erins).toContain("Apply the change");
    expect(erins).toContain("home_step_verify");
    const bobs = JSON.stringify((await home(BOB)).blocks);
    expect(bobs).not.toContain("Apply the change");
    expect(bobs).toContain("you are the buddy");

    // The buddy is not in the verifier group: refused, naming the group.
    await clickAndSettle("step_verify", BOB, "change");
    expect(await h.slack.waitFor(() => h.ephemeralsTo(BOB).at(-1))).toContain(
      'may verify "Apply the change".',
    );
    expect(await stepStatus("change")).toBe("awaiting_verification");

    // Erin verifies from her Home tab.
    const button = (erinsHome: { blocks?: unknown[] }) =>
      (erinsHome.blocks as { accessory?: { action_id: string; value: string } }[]).find(
        (b) => b.accessory?.action_id === "home_step_verify",
      )?.accessory;
    const verify = button((await home(ERIN)) ?? {});
    await sendInteraction(
      h.url,
      SIGNING_SECRET,
      homeActionPayload({ userId: ERIN, actionId: "home_step_verify", value: verify?.value ?? "" }),
    );
    await expect.poll(() => stepStatus("change")).toBe("done");
    // The thread tells the buddy it is their turn.
    await h.settle();
    expect(h.threadTexts().join("\n")).toContain("next: *Wrap up* for <@UBOB>");
  });
});

describe("a protected environment", () => {
  it("does not start without a buddy: the start form asks for one", async () => {
    await startPeople("no-run");
    await h.command("start people env=prod", ALICE);
    const opened = await h.slack.waitFor(() => h.slack.callsTo("views.open")[0]);
    const view = opened.args.view as {
      blocks: { block_id?: string }[];
      private_metadata: string;
      callback_id: string;
    };
    expect(view.blocks.map((b) => b.block_id)).toContain("buddy");
    expect(h.slack.messages(CHANNEL)).toEqual([]);

    const submit = (values: Record<string, Record<string, unknown>>) =>
      sendInteraction(
        h.url,
        SIGNING_SECRET,
        viewSubmissionPayload({
          userId: ALICE,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values,
        }),
      );
    const without = await submit({});
    expect(JSON.stringify(without.json)).toContain("choose a teammate as your buddy");
    await submit({ buddy: { value: { type: "users_select", selected_user: BOB } } });
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    expect((await h.run()).buddy).toBe(BOB);
  });
});

describe("hand-over and evidence", () => {
  it("changes who may finish, and the Markdown names people and lists the screenshot under its step", async () => {
    await startPeople();
    const run = await h.run();
    await h.command(`handover ${run.id} <@${DANA}|dana>`, ALICE);
    await expect.poll(async () => (await h.run()).owner).toBe(DANA);
    await h.settle();

    await clickAndSettle("step_complete", CAROL, "backup");
    await clickAndSettle("step_start", DANA, "change");
    await sendEvent(
      h.url,
      SIGNING_SECRET,
      fileShareReplyEvent({
        channel: CHANNEL,
        user: DANA,
        threadTs: h.runMessage().ts,
        text: "replication lag after the change",
        files: [{ name: "grafana-lag.png" }],
      }),
    );
    await expect.poll(async () => (await h.run()).notes.length).toBe(1);
    await clickAndSettle("step_complete", DANA, "change");
    await clickAndSettle("step_verify", ERIN, "change");
    await clickAndSettle("step_complete", DANA, "wrap-up");

    await clickAndSettle("run_finish", ALICE);
    expect(await h.slack.waitFor(() => h.ephemeralsTo(ALICE).at(-1))).toBe(
      "Only the run's owner <@UDANA> may finish it.",
    );
    await clickAndSettle("run_finish", DANA);
    const text = await markdown();
    expect(text).toMatch(/- @alice handed the run to @dana at \d\d:\d\d UTC/);
    expect(text).toContain("| Owner | @dana |");
    expect(text).not.toContain("<@U");
    const evidence = text.slice(text.indexOf("## Evidence from the thread"));
    expect(evidence).toMatch(
      /^## Evidence from the thread\n\n### 2\. Apply the change\n\n- \d\d:\d\d UTC, @dana: replication lag after the change \(\[grafana-lag\.png\]\(https:\/\/example\.slack\.com\/files\/UDANA\/F\w+\/grafana-lag\.png\)\)/,
    );
  });
});

describe("evidence from the channel", () => {
  it("records a reply also sent to the channel, and a message added with the shortcut, under the running step", async () => {
    await startPeople(` buddy=<@${BOB}|bob>`);
    await clickAndSettle("step_start", ALICE, "backup");
    await sendEvent(
      h.url,
      SIGNING_SECRET,
      threadBroadcastEvent({
        channel: CHANNEL,
        user: BOB,
        threadTs: h.runMessage().ts,
        text: "backup verified",
      }),
    );
    const outside = h.slack.postAsUser({ channel: CHANNEL, user: DAVE, text: "customers see errors" });
    const answer = await sendInteraction(
      h.url,
      SIGNING_SECRET,
      messageShortcutPayload({
        callbackId: "add_to_run_timeline",
        userId: ALICE,
        channelId: CHANNEL,
        message: { ts: outside.ts, user: DAVE, text: outside.text ?? "" },
      }),
    );
    expect(answer.status).toBe(200);
    const run = await h.run();
    expect(await h.slack.waitFor(() => h.ephemeralsTo(ALICE).at(-1))).toBe(
      `Added to the timeline of run \`${run.id}\`.`,
    );
    const notes = (await h.run()).notes;
    expect(notes.map((n) => [n.by, n.stepId, n.text])).toEqual([
      [BOB, "backup", "backup verified"],
      [ALICE, "backup", "customers see errors (message by <@UDAVE>)"],
    ]);
    expect(notes[1]?.permalink).toContain(`/archives/${CHANNEL}/p`);
  });
});

describe("a buddy or new owner who is not a person", () => {
  it("Slackbot or a bot user is refused as the buddy at start, and the run is not handed to one", async () => {
    await startPeople("no-run");
    h.slack.setUser({ id: "UROBOT", name: "robot", is_bot: true });
    for (const buddy of ["<@USLACKBOT|slackbot>", "<@UROBOT|robot>"])
      await h.command(`start people buddy=${buddy}`, ALICE);
    await expect
      .poll(() => h.ephemeralsTo(ALICE).filter((text) => text.includes("not a bot or a deactivated account")))
      .toHaveLength(2);
    expect(h.slack.messages(CHANNEL)).toEqual([]);

    await h.command(`start people buddy=<@${DANA}|dana>`, ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    const run = await h.run();
    await h.command(`handover ${run.id} <@UROBOT|robot>`, ALICE);
    await expect
      .poll(() => h.ephemeralsTo(ALICE).some((text) => text.includes("is not a person who can own the run")))
      .toBe(true);
    expect((await h.run()).owner).toBe(ALICE);
  });
});
