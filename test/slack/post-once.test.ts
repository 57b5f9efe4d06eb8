import { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EffectLedger, EffectRecord } from "../../src/core/ports.js";
import { type SlackApiDouble, startSlackApiDouble } from "../../src/sandbox/slack-api.js";
import { EFFECT_EVENT_TYPE, postOnce } from "../../src/slack/post-once.js";

/**
 * Thread lines gathered in one message whose answer was lost: what landed is recorded, and the
 * rest is posted with its own words only, never the lines that are already in the thread.
 */

const CHANNEL = "C_OPS";
let slack: SlackApiDouble;
let client: WebClient;
beforeEach(async () => {
  slack = await startSlackApiDouble();
  client = new WebClient("xoxb-test", { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
});
afterEach(async () => slack.close());

function ledgerOf(records: Record<string, EffectRecord>): EffectLedger {
  return {
    get: (id) => records[id],
    mark: async (id, record) => {
      records[id] = record;
    },
  };
}

const now = () => new Date();
const lines = { a: "✅ completed *Step one*", b: "✅ completed *Step two*", c: "🛑 aborted the run" };

describe("a message of several thread lines, tried before", () => {
  it("posts only the lines that did not land, with their own words", async () => {
    const root = (await client.chat.postMessage({ channel: CHANNEL, text: "run" })).ts as string;
    // The first try carried a and b, landed, and its answer was lost.
    await client.chat.postMessage({
      channel: CHANNEL,
      thread_ts: root,
      text: `${lines.a}\n${lines.b}`,
      metadata: { event_type: EFFECT_EVENT_TYPE, event_payload: { effects: ["a", "b"] } } as never,
    });
    const tried = { status: "tried" as const, at: new Date(Date.now() - 60_000).toISOString() };
    const records: Record<string, EffectRecord> = { a: tried, b: tried };
    const ids = ["a", "b", "c"] as const;
    await postOnce(
      client,
      ledgerOf(records),
      {
        channel: CHANNEL,
        threadTs: root,
        text: ids.map((id) => lines[id]).join("\n"),
        textOf: (some) => some.map((id) => lines[id as keyof typeof lines]).join("\n"),
        effectIds: ids,
      },
      now,
    );
    const thread = slack.thread(CHANNEL, root).map((message) => message.text);
    expect(thread).toEqual([`${lines.a}\n${lines.b}`, lines.c]);
    expect(Object.values(records).map((record) => record.status)).toEqual(["done", "done", "done"]);
  });

  it("is refused as a bug when it has no words for a part of it", async () => {
    const root = (await client.chat.postMessage({ channel: CHANNEL, text: "run" })).ts as string;
    await client.chat.postMessage({
      channel: CHANNEL,
      thread_ts: root,
      text: lines.a,
      metadata: { event_type: EFFECT_EVENT_TYPE, event_payload: { effects: ["a"] } } as never,
    });
    const tried = { status: "tried" as const, at: new Date(Date.now() - 60_000).toISOString() };
    const post = { channel: CHANNEL, threadTs: root, text: `${lines.a}\n${lines.b}`, effectIds: ["a", "b"] };
    await expect(postOnce(client, ledgerOf({ a: tried, b: tried }), post, now)).rejects.toMatchObject({
      code: "bug",
    });
    expect(slack.thread(CHANNEL, root)).toHaveLength(1);
  });
});
