import type { WebClient } from "@slack/web-api";
import { describe, expect, it, vi } from "vitest";
import { BUSY_MESSAGE } from "../../src/slack/apply-with-ack.js";
import { buttonContext } from "../../src/slack/middleware/button-context.js";

/** An overloaded process refuses a click that already waited too long, before reading anything. */

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

function click() {
  return {
    type: "block_actions",
    user: { id: "UALICE" },
    channel: { id: "COPS" },
    message: { ts: "1.000" },
    actions: [{ action_id: "step_complete", value: JSON.stringify({ r: "r-1", s: "announce", v: 0 }) }],
  };
}

describe("button context under overload", () => {
  it("a click that arrived 1.6 s ago is acknowledged and refused in words; nothing is read or applied", async () => {
    const ephemerals: string[] = [];
    const client = {
      chat: { postEphemeral: async (args: { text: string }) => ephemerals.push(args.text) },
    } as unknown as WebClient;
    const get = vi.fn();
    const middleware = buttonContext({
      service: { get },
      refs: { get: vi.fn() },
      windows: { get: vi.fn() },
      log: quiet,
    });
    const ack = vi.fn(async () => {});
    const next = vi.fn(async () => {});
    await middleware({
      body: click(),
      ack,
      next,
      client,
      context: { arrivedAt: Date.now() - 1_600 },
    } as never);
    expect(get).not.toHaveBeenCalled();
    expect(next).not.toHaveBeenCalled();
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ephemerals).toEqual([BUSY_MESSAGE]);
  });

  it("a click that just arrived is read and passed on", async () => {
    const get = vi.fn(async () => ({ id: "r-1", channel: "COPS", reminders: {} }));
    const middleware = buttonContext({
      service: { get },
      refs: { get: vi.fn(async () => undefined) },
      windows: { get: vi.fn() },
      log: quiet,
    });
    const next = vi.fn(async () => {});
    const context: Record<string, unknown> = { arrivedAt: Date.now() };
    await middleware({ body: click(), ack: vi.fn(), next, client: {}, context } as never);
    expect(get).toHaveBeenCalledWith("r-1");
    expect(next).toHaveBeenCalledTimes(1);
    expect(context.button).toMatchObject({ runId: "r-1", user: "UALICE" });
  });
});
