import { describe, expect, it } from "vitest";
import { createKeyedPasses } from "../../src/service/keyed-passes.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Passes that only record which key they ran for, giving way while `busy` says so. */
function recordingPasses(busy: () => boolean, maxWaitMs: number) {
  const ran: string[] = [];
  const passes = createKeyedPasses(
    async (key) => {
      ran.push(key);
    },
    { busy, maxWaitMs },
  );
  return { passes, ran };
}

describe("keyed passes", () => {
  it("a request during a pass asks for one more pass after it, never a lost one", async () => {
    const seen: number[] = [];
    let value = 0;
    const passes = createKeyedPasses(async () => {
      const at = value;
      await sleep(20);
      seen.push(at);
    });
    const first = passes.request("run-1");
    value = 1;
    void passes.request("run-1");
    value = 2;
    void passes.request("run-1");
    await first;
    await passes.idle();
    // Two passes: the first, and one more for both requests made during it.
    expect(seen).toHaveLength(2);
  });

  it("while people are being answered on a busy loop, a pass waits and the requests made meanwhile are done in one pass", async () => {
    let busy = true;
    const { passes, ran: passesRun } = recordingPasses(() => busy, 5_000);
    for (let i = 0; i < 10; i++) void passes.request("run-1");
    await sleep(200);
    expect(passesRun).toEqual([]);
    busy = false;
    await passes.idle();
    expect(passesRun).toEqual(["run-1"]);
  });

  it("gives way for at most maxWaitMs: background work is late under load, never starved", async () => {
    const { passes, ran: passesRun } = recordingPasses(() => true, 150);
    void passes.request("run-1");
    void passes.request("run-2");
    await sleep(50);
    expect(passesRun).toEqual([]);
    await passes.idle();
    expect(passesRun.sort()).toEqual(["run-1", "run-2"]);
  });

  it("when the process is free again, waiting passes go a few at a time, oldest first", async () => {
    let busy = true;
    const { passes, ran: started } = recordingPasses(() => busy, 60_000);
    for (let i = 0; i < 40; i++) void passes.request(`run-${i}`);
    await sleep(120);
    busy = false;
    await sleep(60);
    // One look (every 50 ms) lets 16 go; the rest follow in the next looks.
    expect(started.length).toBeGreaterThan(0);
    expect(started.length).toBeLessThan(40);
    expect(started.slice(0, 3)).toEqual(["run-0", "run-1", "run-2"]);
    await passes.idle();
    expect(started).toHaveLength(40);
  });

  it("a pass that was giving way when the work stopped does not start", async () => {
    const { passes, ran: passesRun } = recordingPasses(() => true, 60_000);
    void passes.request("run-1");
    await sleep(20);
    passes.stop();
    await passes.idle();
    expect(passesRun).toEqual([]);
  });
});
