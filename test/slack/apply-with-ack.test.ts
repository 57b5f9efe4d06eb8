import type { WebClient } from "@slack/web-api";
import { describe, expect, it, vi } from "vitest";
import { PreflightError } from "../../src/core/errors.js";
import type { Logger, UpdateResult } from "../../src/core/ports.js";
import type { RunService } from "../../src/service/run-service.js";
import {
  actAndAck,
  BUSY_MESSAGE,
  MAX_IN_FLIGHT,
  SATURATED_IN_FLIGHT,
} from "../../src/slack/apply-with-ack.js";

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

  it("counts the deadline from the request's arrival, not from the handler's start", async () => {
    vi.useFakeTimers();
    try {
      const { client } = fakeClient();
      let finish: (value: { result: UpdateResult; effectsDone: Promise<void> }) => void = () => {};
      const service = { act: () => new Promise((resolve) => (finish = resolve)) } as unknown as RunService;
      const ack = vi.fn(async () => {});
      const pending = actAndAck(
        { service, log: quietLog, client, ack, channel: "C1", arrivedAt: Date.now() - 1_000 },
        "r-1",
        { type: "finish", by: "U1" },
        "e1",
      );
      await vi.advanceTimersByTimeAsync(999);
      expect(ack).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(ack).toHaveBeenCalledTimes(1);
      finish({ result: refused, effectsDone: Promise.resolve() });
      await pending;
    } finally {
      vi.useRealTimers();
    }
  });

  it("a click that waited too long in an overloaded process is refused at once, in words, and not applied", async () => {
    const { client, ephemerals } = fakeClient();
    const act = vi.fn();
    const ack = vi.fn(async () => {});
    await actAndAck(
      {
        service: { act } as unknown as RunService,
        log: quietLog,
        client,
        ack,
        channel: "C1",
        arrivedAt: Date.now() - 1_600,
      },
      "r-1",
      { type: "finish", by: "U1" },
      "e1",
    );
    expect(act).not.toHaveBeenCalled();
    expect(ack).toHaveBeenCalledTimes(1);
    expect(ephemerals).toEqual([BUSY_MESSAGE]);
  });

  it("beyond the commits in flight a process takes, a click is refused at once rather than queued", async () => {
    const { client, ephemerals } = fakeClient();
    const waiting: Array<(value: { result: UpdateResult; effectsDone: Promise<void> }) => void> = [];
    const service = {
      act: vi.fn(() => new Promise((resolve) => waiting.push(resolve))),
    } as unknown as RunService;
    const acks = vi.fn(async () => {});
    const clicks = Array.from({ length: MAX_IN_FLIGHT + 3 }, (_, i) =>
      actAndAck(
        { service, log: quietLog, client, ack: acks, channel: "C1" },
        "r-1",
        { type: "finish", by: "U1" },
        `e${i}`,
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(service.act).toHaveBeenCalledTimes(MAX_IN_FLIGHT);
    expect(ephemerals).toEqual([BUSY_MESSAGE, BUSY_MESSAGE, BUSY_MESSAGE]);
    for (const resolve of waiting) resolve({ result: refused, effectsDone: Promise.resolve() });
    await Promise.all(clicks);
    expect(acks).toHaveBeenCalledTimes(MAX_IN_FLIGHT + 3);
  });

  it("a saturated process (commits in flight and a loop busy all along) refuses a click an idle one takes", async () => {
    const { client, ephemerals } = fakeClient();
    const waiting: Array<(value: { result: UpdateResult; effectsDone: Promise<void> }) => void> = [];
    const service = {
      act: vi.fn(() => new Promise((resolve) => waiting.push(resolve))),
    } as unknown as RunService;
    const click = (i: number) =>
      actAndAck(
        { service, log: quietLog, client, ack: async () => {}, channel: "C1" },
        "r-1",
        { type: "finish", by: "U1" },
        `s${i}`,
      );
    const clicks = Array.from({ length: SATURATED_IN_FLIGHT }, (_, i) => click(i));
    // The loop idles for a while: as many commits in flight are no overload.
    await new Promise((resolve) => setTimeout(resolve, 300));
    clicks.push(click(100));
    expect(service.act).toHaveBeenCalledTimes(SATURATED_IN_FLIGHT + 1);
    // The loop works without a break (a process that can't keep up): the next click is refused.
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // busy
    }
    clicks.push(click(101));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(service.act).toHaveBeenCalledTimes(SATURATED_IN_FLIGHT + 1);
    expect(ephemerals).toEqual([BUSY_MESSAGE]);
    for (const resolve of waiting) resolve({ result: refused, effectsDone: Promise.resolve() });
    await Promise.all(clicks);
  });
});
