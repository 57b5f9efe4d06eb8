import { randomUUID } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUSY_MESSAGE } from "../../src/slack/apply-with-ack.js";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import type { StoredMessage } from "../support/slack-api-double.js";
import { blockActionPayload, sendInteraction, viewSubmissionPayload } from "../support/slack-requests.js";

/**
 * Conflicting clicks at the same instant, over the wire: a button and a form drawn for the same
 * state of the run never both apply — the later one is refused as stale, whoever's it is.
 */

const CHECKLIST = `
id: conflict-test
title: Conflict test
summary: A first step that can be started or skipped
phases:
  - id: only
    title: Only
    steps:
      - id: first
        title: First step
        skippable: true
      - id: second
        title: Second step
`;
const ALICE = "UALICE";
const BOB = "UBOB";

let h: Harness;
beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "preflight-conflict-"));
  await writeFile(join(dir, "conflict-test.yaml"), CHECKLIST);
  h = await startHarness({ checklistsDir: dir });
});
afterAll(async () => h.stop());

/** Starts a run (alice owner, bob buddy) and returns its message with Start and Skip ready. */
async function freshRun(index: number) {
  await h.command(`start conflict-test buddy=<@${BOB}|bob>`, ALICE);
  const message = await h.slack.waitFor(() => h.slack.messages(CHANNEL)[index]);
  await h.settle();
  return h.slack.message(CHANNEL, message.ts) ?? message;
}

/** Bob's Skip form for the first step, opened on `message` (so it carries the progress drawn). */
async function skipForm(message: StoredMessage) {
  const opened = h.slack.callsTo("views.open").length;
  await sendInteraction(
    h.url,
    SIGNING_SECRET,
    blockActionPayload({
      userId: BOB,
      channelId: CHANNEL,
      messageTs: message.ts,
      actionId: "step_skip",
      value: h.button("step_skip", "first", message).value,
      triggerId: `trig-${randomUUID()}`,
    }),
  );
  const call = await h.slack.waitFor(() => h.slack.callsTo("views.open")[opened]);
  return call.args.view as { callback_id: string; private_metadata: string };
}

const submitSkip = (view: { callback_id: string; private_metadata: string }) =>
  sendInteraction(
    h.url,
    SIGNING_SECRET,
    viewSubmissionPayload({
      userId: BOB,
      callbackId: view.callback_id,
      privateMetadata: view.private_metadata,
      viewId: `V${randomUUID().slice(0, 8)}`,
      values: { text_block: { text_input: { type: "plain_text_input", value: "not needed this time" } } },
    }),
  );

const clickStart = (message: { ts: string }, value: string) =>
  sendInteraction(
    h.url,
    SIGNING_SECRET,
    blockActionPayload({
      userId: ALICE,
      channelId: CHANNEL,
      messageTs: message.ts,
      actionId: "step_start",
      value,
    }),
  );

async function appliedOn(runTs: string) {
  const runId = (await h.bot.refs.runOfThread(CHANNEL, runTs)) as string;
  const run = await h.bot.store.get(runId);
  return (run?.history ?? []).filter((a) => a.stepId === "first").map((a) => a.type);
}

describe("conflicting clicks at the same instant", () => {
  it("Start and a Skip form opened on the same message: exactly one applies, every time", async () => {
    for (let trial = 0; trial < 4; trial++) {
      const message = await freshRun(trial);
      const form = await skipForm(message);
      const start = h.button("step_start", "first", message).value;
      const answers = await Promise.all([clickStart(message, start), submitSkip(form)]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      await h.settle();
      const applied = await appliedOn(message.ts);
      expect(applied.length, `trial ${trial}: ${applied.join(", ")}`).toBe(1);
    }
  });

  it("50 conflicting clicks and forms at once: one applies, the others are refused as stale", async () => {
    const message = await freshRun(4);
    const staleBefore = h.ephemeralsTo(ALICE).filter((t) => t.includes("moved this run on")).length;
    const busyBefore = h.ephemeralsTo(ALICE).filter((t) => t === BUSY_MESSAGE).length;
    const forms = [];
    for (let i = 0; i < 25; i++) forms.push(await skipForm(message));
    const start = h.button("step_start", "first", message).value;
    const answers = await Promise.all([
      ...forms.map((form) => submitSkip(form)),
      ...Array.from({ length: 25 }, () => clickStart(message, start)),
    ]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await h.settle();
    expect(await appliedOn(message.ts)).toHaveLength(1);
    // Alice's refused Starts were told why, privately: the run moved on or, for a click a loaded
    // machine held past 1.5 s before it was read, that Preflight was busy (nothing applied either way).
    const stale = h.ephemeralsTo(ALICE).filter((t) => t.includes("moved this run on")).length - staleBefore;
    const busy = h.ephemeralsTo(ALICE).filter((t) => t === BUSY_MESSAGE).length - busyBefore;
    const skipped = (await appliedOn(message.ts))[0] === "skip_step";
    expect(stale + busy).toBe(skipped ? 25 : 24);
  });
});
