import type { WebClient } from "@slack/web-api";
import { describe, expect, it, vi } from "vitest";
import { PreflightError } from "../../src/core/errors.js";
import type { Logger, UpdateResult } from "../../src/core/ports.js";
import type { RunService } from "../../src/service/run-service.js";
import { actAndAck } from "../../src/slack/apply-with-ack.js";

/** Unit tests with an in-process stand-in for the service: only the ack timing is under test here. */

const quietLog: Logger = { info: () => {}, warn: () => {}, error: () => {} };

function fakeClient() {
  const ephemerals: string[] = [];
  const client = {
    chat: { postEphemeral: async (args: { text: string }) => ephemerals.push(args.text) },
  } as unknown as WebClient;
  return { client, ephemerals };
}

const refused: UpdateResult = {
  status: "refused",
  run: {} as never,
  refusal: { code: "reason_required", message: "Give a reason." },
};

describe("actAndAck", () => {
  it("acknowledges by the deadline when storage is slow, then reports the outcome privately", async () => {
    vi.useFakeTimers();
    try {
      const { client, ephemerals } = fakeClient();
      let finish: (value: { result: UpdateResult; effectsDone: Promise<void> }) => void = () => {};
      const service = { act: () => new Promise((resolve) => (finish = resolve)) } as unknown as RunService;
      const ack = vi.fn(async () => {});
      const pending = actAndAck(
        { service, log: quietLog, client, ack, channel: "C1" },
        "r-1",
        { type: "finish", by: "U1" },
        "e1",
      );
      await vi.advanceTimersByTimeAsync(1_999);
      expect(ack).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(ack).toHaveBeenCalledTimes(1);
      finish({ result: refused, effectsDone: Promise.resolve() });
      await pending;
      expect(ack).toHaveBeenCalledTimes(1);
      expect(ephemerals).toEqual(["Give a reason."]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("acknowledges and says nothing was saved when storage is unavailable", async () => {
    const { client, ephemerals } = fakeClient();
    const service = {
      act: async () =>
        Promise.reject(
          new PreflightError("storage_unavailable", "Redis did not answer: connect ECONNREFUSED"),
        ),
    } as unknown as RunService;
    const ack = vi.fn(async () => {});
    await actAndAck(
      { service, log: quietLog, client, ack, channel: "C1" },
      "r-1",
      { type: "finish", by: "U1" },
      "e1",
    );
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ephemerals).toEqual([
      "Preflight could not save this: its storage is unavailable. Try again in a minute.",
    ]);
  });

  it("a bug is not blamed on storage: the person gets an incident id to quote", async () => {
    const { client, ephemerals } = fakeClient();
    const service = {
      act: async () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'id')")),
    } as unknown as RunService;
    const ack = vi.fn(async () => {});
    await actAndAck(
      { service, log: quietLog, client, ack, channel: "C1" },
      "r-1",
      { type: "finish", by: "U1" },
      "e1",
    );
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ephemerals).toHaveLength(1);
    expect(ephemerals[0]).toMatch(
      /^Something went wrong inside Preflight; it was logged as E-[a-z0-9]+-[a-z0-9]{4}\./,
    );
    expect(ephemerals[0]).not.toContain("Redis");
    expect(ephemerals[0]).not.toContain("Cannot read");
  });
});
