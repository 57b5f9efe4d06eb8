import type { WebClient } from "@slack/web-api";
import { describe, expect, it, vi } from "vitest";
import { noMetrics } from "../../src/core/ports.js";
import { buttonContext, NOT_THIS_MESSAGE } from "../../src/slack/middleware/button-context.js";

/** A click refused before any listener is counted in preflight_clicks_total with its reason. */

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

function click(channel = "COPS") {
  return {
    type: "block_actions",
    user: { id: "UALICE" },
    channel: { id: channel },
    message: { ts: "1.000" },
    actions: [{ action_id: "step_complete", value: JSON.stringify({ r: "r-1", s: "announce", v: 0 }) }],
  };
}

async function refuse(body: object, run: object | undefined, arrivedAt = Date.now()) {
  const counted: [string, string | undefined][] = [];
  const ephemerals: string[] = [];
  const client = {
    chat: { postEphemeral: async (args: { text: string }) => ephemerals.push(args.text) },
  } as unknown as WebClient;
  const next = vi.fn(async () => {});
  const middleware = buttonContext({
    service: { get: async () => run as never },
    refs: { get: async () => ({ channel: "COPS", ts: "1.000" }) },
    windows: { get: async () => undefined },
    log: quiet,
    metrics: { ...noMetrics, click: (outcome, reason) => counted.push([outcome, reason]) },
  });
  await middleware({ body, ack: vi.fn(), next, client, context: { arrivedAt } } as never);
  return { counted, ephemerals, passed: next.mock.calls.length > 0 };
}

const run = { id: "r-1", channel: "COPS", reminders: {} };

describe("refused clicks are counted", () => {
  it("a click from another channel's message: refused, foreign_message", async () => {
    const seen = await refuse(click("COTHER"), run);
    expect(seen).toEqual({
      counted: [["refused", "foreign_message"]],
      ephemerals: [NOT_THIS_MESSAGE],
      passed: false,
    });
  });

  it("a click on a run that no longer exists: not_found, run_not_found", async () => {
    const seen = await refuse(click(), undefined);
    expect(seen.counted).toEqual([["not_found", "run_not_found"]]);
  });

  it("a click that waited too long in an overloaded process: refused, busy", async () => {
    const seen = await refuse(click(), run, Date.now() - 1_600);
    expect(seen.counted).toEqual([["refused", "busy"]]);
  });

  it("a click that passes is not counted here (the run service counts its outcome)", async () => {
    const seen = await refuse(click(), run);
    expect(seen).toEqual({ counted: [], ephemerals: [], passed: true });
  });
});
