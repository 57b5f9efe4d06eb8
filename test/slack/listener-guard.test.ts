import { ReceiverMultipleAckError } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { listenerGuard } from "../../src/slack/middleware/listener-guard.js";

function fakeArgs(next: () => Promise<void>, acked = false) {
  const errors: string[] = [];
  let acks = 0;
  const args = {
    body: { type: "block_actions" },
    next,
    ack: async () => {
      if (acked || acks > 0) throw new ReceiverMultipleAckError();
      acks++;
    },
  };
  const log = { info: () => {}, warn: () => {}, error: (message: string) => errors.push(message) };
  return { args, log, errors, acks: () => acks };
}

describe("listenerGuard", () => {
  it("logs a listener's error, acknowledges the request and does not throw", async () => {
    const { args, log, errors, acks } = fakeArgs(async () => {
      throw new Error("boom");
    });
    await expect(listenerGuard(log)(args as never)).resolves.toBeUndefined();
    expect(acks()).toBe(1);
    expect(errors).toEqual(["a listener failed; the request was answered and nothing more was done"]);
  });

  it("does not acknowledge twice when the listener already had", async () => {
    const { args, log, errors } = fakeArgs(async () => {
      throw new Error("after ack");
    }, true);
    await expect(listenerGuard(log)(args as never)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });

  it("lets a listener that succeeds answer for itself", async () => {
    const { args, log, errors, acks } = fakeArgs(async () => {});
    await listenerGuard(log)(args as never);
    expect(acks()).toBe(0);
    expect(errors).toEqual([]);
  });
});
