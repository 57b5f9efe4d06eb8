import { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EffectRecord } from "../../src/core/ports.js";
import type { ScheduledReminder } from "../../src/core/run/run-schema.js";
import type { RunService } from "../../src/service/run-service.js";
import { createTimedJobHandler } from "../../src/slack/timed-jobs.js";
import { type SlackApiDouble, startSlackApiDouble } from "../support/slack-api-double.js";

/**
 * A reminder's post is marked "tried" before it is made and "done" by the commit that records it
 * on its run (one write, not two). When no commit carries the mark, it is written on its own.
 */

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const reminder: ScheduledReminder = {
  key: "run-1.tell.0",
  runId: "run-1",
  reminderId: "tell",
  occurrence: 0,
  dueAt: "2026-12-02T10:00:00.000Z",
  channel: "CBUSINESS",
  text: "Tell the business",
  keepOnAbort: false,
};

let slack: SlackApiDouble;
beforeEach(async () => {
  slack = await startSlackApiDouble();
});
afterEach(async () => slack.close());

function handlerWith(
  act: RunService["act"],
  extra: Partial<Pick<Parameters<typeof createTimedJobHandler>[0], "pace" | "refs">> & {
    get?: RunService["get"];
  } = {},
) {
  const marks: { id: string; status: string }[] = [];
  const committed: (Readonly<Record<string, EffectRecord>> | undefined)[] = [];
  const handler = createTimedJobHandler({
    client: new WebClient("xoxb-test", { slackApiUrl: slack.url, retryConfig: { retries: 0 } }),
    runs: {
      get: extra.get ?? (async () => undefined),
      act: async (runId, event, eventId, records) => {
        committed.push(records);
        return act(runId, event, eventId, records);
      },
      ledger: async () => ({
        get: () => undefined,
        mark: async (id, record) => void marks.push({ id, status: record.status }),
      }),
    },
    refs: extra.refs ?? {
      get: async () => undefined,
      save: async () => {},
      runOfThread: async () => undefined,
    },
    ...(extra.pace ? { pace: extra.pace } : {}),
    windows: { get: async () => undefined, save: async () => {}, claim: async () => undefined },
    log: quiet,
  });
  return { handler, marks, committed };
}

/** A commit that ran (refused here: the marks are written either way). */
const committedAct: RunService["act"] = async () => ({
  result: { status: "refused", run: {} as never, refusal: { code: "stale", message: "x" } as never },
  effectsDone: Promise.resolve(),
});

describe("a reminder's record of its post", () => {
  it("is marked tried before the post, and done by the commit that records the post", async () => {
    const { handler, marks, committed } = handlerWith(committedAct);
    await handler.reminderDue(reminder);
    const [posted] = slack.messages("CBUSINESS");
    expect(marks).toEqual([{ id: "reminder.run-1.tell.0", status: "tried" }]);
    expect(committed).toEqual([
      {
        "reminder.run-1.tell.0": expect.objectContaining({
          status: "done",
          ts: posted?.ts,
          channel: "CBUSINESS",
        }),
      },
    ]);
  });

  it("is marked done on its own when the run is gone, or the commit fails", async () => {
    const gone = handlerWith(async () => ({
      result: { status: "not_found" },
      effectsDone: Promise.resolve(),
    }));
    await gone.handler.reminderDue(reminder);
    expect(gone.marks.map((mark) => mark.status)).toEqual(["tried", "done"]);

    const failing = handlerWith(async () => {
      throw new Error("Redis is down");
    });
    await expect(failing.handler.reminderDue(reminder)).rejects.toThrow("Redis is down");
    expect(failing.marks.map((mark) => mark.status)).toEqual(["tried", "done"]);
  });
});

describe("a reminder's turn in its channel's pace", () => {
  /** Reads that answer a little later, and the order things happened in. */
  function watched() {
    const order: string[] = [];
    const get: RunService["get"] = () =>
      new Promise((resolve) =>
        setTimeout(() => {
          order.push("run read");
          resolve(undefined);
        }, 20),
      );
    const pace = async (channel: string) => void order.push(`turn in ${channel}`);
    return { order, get, pace };
  }

  it("is taken together with the reads (one round trip), in the reminder's channel", async () => {
    const { order, get, pace } = watched();
    const { handler } = handlerWith(committedAct, { get, pace });
    await handler.reminderDue(reminder);
    expect(order).toEqual(["turn in CBUSINESS", "run read"]);
    expect(slack.messages("CBUSINESS")).toHaveLength(1);
  });

  it("of a rehearsal is taken after the reads, in the channel of the run's thread they tell", async () => {
    const { order, get, pace } = watched();
    const refs = {
      get: async () => ({ channel: "CRUN", ts: "1700000000.000100" }),
      save: async () => {},
      runOfThread: async () => undefined,
    };
    const { handler } = handlerWith(committedAct, { get, pace, refs });
    await handler.reminderDue({ ...reminder, dryRun: true });
    expect(order).toEqual(["run read", "turn in CRUN"]);
    expect(slack.messages("CBUSINESS")).toHaveLength(0);
  });
});
