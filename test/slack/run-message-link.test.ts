import type { WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EffectLedger, EffectRecord, Logger } from "../../src/core/ports.js";
import { linkOf } from "../../src/slack/permalink.js";
import { createSlackPublisher } from "../../src/slack/slack-publisher.js";
import type { SummaryPoster } from "../../src/slack/summary-poster.js";
import { createRedisMessageRefs } from "../../src/store/redis-message-refs.js";
import { newRun, T0 } from "../support/checklist-fixtures.js";
import { isolatedRedis } from "../support/redis.js";

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };
const LINK = "https://acme.slack.com/archives/C_OPS/p1700000000000100";

let env: Awaited<ReturnType<typeof isolatedRedis>>;
beforeEach(async () => {
  env = await isolatedRedis();
});
afterEach(async () => env.cleanup());

function ledger(): EffectLedger {
  const records: Record<string, EffectRecord> = {};
  return {
    get: (id) => records[id],
    mark: async (id, record) => {
      records[id] = record;
    },
  };
}

describe("a run message's link", () => {
  it("is asked of Slack once, when the message is posted, and kept with its place for every process", async () => {
    const asked: string[] = [];
    const client = {
      chat: {
        postMessage: async () => ({ ok: true, ts: "1700000000.000100", channel: "C_OPS" }),
        getPermalink: async ({ message_ts }: { message_ts: string }) => {
          asked.push(message_ts);
          return { ok: true, permalink: LINK };
        },
      },
    } as unknown as WebClient;
    const refs = createRedisMessageRefs(env.redis, env.prefix);
    const publisher = createSlackPublisher({
      client,
      refs,
      summaries: {} as SummaryPoster,
      claimOnce: async () => true,
      log: quiet,
      now: () => T0,
    });
    const run = newRun();
    await publisher.publish(run, "e1", ledger());
    expect(asked).toEqual(["1700000000.000100"]);
    // Another process (its own memory of places) reads the place and the link from Redis.
    const elsewhere = createRedisMessageRefs(env.connect(), env.prefix);
    const ref = await elsewhere.get(run.id);
    expect(ref).toEqual({ channel: "C_OPS", ts: "1700000000.000100", link: LINK });
    // Reminders, trackers and replies there take it from the place: that process asks Slack nothing.
    const askedElsewhere: string[] = [];
    const otherClient = {
      chat: {
        getPermalink: async ({ message_ts }: { message_ts: string }) => {
          askedElsewhere.push(message_ts);
          return { ok: true, permalink: LINK };
        },
      },
    } as unknown as WebClient;
    expect(await linkOf(otherClient, quiet, ref as NonNullable<typeof ref>)).toBe(LINK);
    expect(askedElsewhere).toEqual([]);
  });
});
