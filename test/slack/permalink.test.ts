import type { WebClient } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import type { Logger } from "../../src/core/ports.js";
import { permalinkOf } from "../../src/slack/permalink.js";

const quiet: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** A client that answers chat.getPermalink, counting the calls; failing while told to. */
function countingClient() {
  const asked: string[] = [];
  let failing = false;
  const client = {
    chat: {
      getPermalink: async ({ channel, message_ts }: { channel: string; message_ts: string }) => {
        asked.push(`${channel}/${message_ts}`);
        if (failing) throw new Error("ratelimited");
        return { ok: true, permalink: `https://example.slack.com/archives/${channel}/p${message_ts}` };
      },
    },
  } as unknown as WebClient;
  const fail = (on: boolean) => {
    failing = on;
  };
  return { client, asked, fail };
}

describe("a message's permalink", () => {
  it("is asked of Slack once per message: every reminder of a run links to the same message", async () => {
    const { client, asked } = countingClient();
    const first = await permalinkOf(client, quiet, "C1", "1.0");
    const again = await permalinkOf(client, quiet, "C1", "1.0");
    const other = await permalinkOf(client, quiet, "C1", "2.0");
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(asked).toEqual(["C1/1.0", "C1/2.0"]);
  });

  it("is asked again after Slack refused it: no link is remembered as missing", async () => {
    const { client, asked, fail } = countingClient();
    fail(true);
    expect(await permalinkOf(client, quiet, "C1", "3.0")).toBeUndefined();
    fail(false);
    expect(await permalinkOf(client, quiet, "C1", "3.0")).toContain("C1");
    expect(asked).toEqual(["C1/3.0", "C1/3.0"]);
  });
});
