import { describe, expect, it } from "vitest";
import { ACTION_IDS } from "../../src/slack/ids.js";
import { checkClick, NOT_THIS_MESSAGE } from "../../src/slack/middleware/button-context.js";
import { viewContext } from "../../src/slack/middleware/view-context.js";

/**
 * Every button that names a run acts only on the run of the message it was clicked on, in that
 * channel; a reminder is looked up as the run's own entry, never a property every object has.
 */

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const reminder = { channel: "COPS", text: "Delete the snapshot", dueAt: "2026-12-01T00:00:00.000Z" };
const run = { id: "r-1", channel: "COPS", reminders: { "r-1.snap.0": reminder } };
const deps = {
  service: { get: async (id: string) => (id === "r-1" ? (run as never) : undefined) },
  refs: { get: async () => ({ channel: "COPS", ts: "1.000" }) },
  windows: { get: async () => undefined },
  log: quiet,
};

function click(actionId: string, value: object, channel = "COPS", ts = "1.000") {
  return {
    type: "block_actions",
    user: { id: "UMALLORY" },
    channel: { id: channel },
    message: { ts },
    actions: [{ action_id: actionId, value: JSON.stringify(value) }],
  };
}

const runButtons = Object.values(ACTION_IDS).filter(
  (id) => !id.startsWith("reminder_") && id !== ACTION_IDS.startWindow,
);

describe("a run's buttons clicked on another channel's message", () => {
  it.each(runButtons)("%s is refused: it does not belong to that message", async (actionId) => {
    const checked = await checkClick(deps, click(actionId, { r: "r-1", s: "go", v: 3 }, "COTHER", "9.000"));
    expect(checked).toMatchObject({ ok: false, message: NOT_THIS_MESSAGE });
  });

  it.each(runButtons)("%s on the run's own message goes on to its listener", async (actionId) => {
    const checked = await checkClick(deps, click(actionId, { r: "r-1", s: "go", v: 3 }));
    expect(checked).toMatchObject({ ok: true, context: { runId: "r-1" } });
  });
});

describe("a reminder button naming a key every object has", () => {
  it.each(["constructor", "toString", "__proto__", "hasOwnProperty"])(
    "%s names no reminder: refused, nothing reaches a listener",
    async (key) => {
      const checked = await checkClick(deps, click(ACTION_IDS.reminderDone, { r: "r-1", k: key }));
      expect(checked).toMatchObject({
        ok: false,
        message: "Preflight no longer knows this reminder, so nothing was done. Handle it by hand.",
      });
    },
  );

  it("the run's own reminder is found", async () => {
    const checked = await checkClick(deps, click(ACTION_IDS.reminderDone, { r: "r-1", k: "r-1.snap.0" }));
    expect(checked).toMatchObject({ ok: true, context: { reminder: { ...reminder, runId: "r-1" } } });
  });
});

describe("a run's forms submitted naming another channel", () => {
  async function submit(callbackId: string, metadata: object) {
    const acks: unknown[] = [];
    let passed = false;
    await viewContext({ service: deps.service, log: quiet })({
      body: {
        type: "view_submission",
        view: {
          callback_id: callbackId,
          private_metadata: JSON.stringify(metadata),
          state: { values: { text_block: {} } },
        },
      },
      ack: async (response?: unknown) => {
        acks.push(response);
      },
      next: async () => {
        passed = true;
      },
    } as never);
    return { acks, passed };
  }

  it.each([
    "decide_continue_modal",
    "pause_run_modal",
    "resume_run_modal",
    "roll_back_modal",
    "done_by_hand_modal",
    "record_values_modal",
  ])("%s is refused as out of date, and the same form from the run's channel goes on", async (callbackId) => {
    const elsewhere = await submit(callbackId, { r: "r-1", s: "go", c: "COTHER", v: 3 });
    expect(elsewhere.passed).toBe(false);
    expect(JSON.stringify(elsewhere.acks)).toContain("This form is out of date");
    expect((await submit(callbackId, { r: "r-1", s: "go", c: "COPS", v: 3 })).passed).toBe(true);
  });

  it("the snapshot form naming a key every object has is refused", async () => {
    expect((await submit("delete_snapshot_modal", { r: "r-1", k: "constructor" })).passed).toBe(false);
    expect((await submit("delete_snapshot_modal", { r: "r-1", k: "r-1.snap.0" })).passed).toBe(true);
  });
});
