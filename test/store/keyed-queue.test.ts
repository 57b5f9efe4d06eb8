import { describe, expect, it } from "vitest";
import { createKeyedQueue } from "../../src/store/keyed-queue.js";

/** Tasks under one key run one after another, in order; a failure does not hold up the next. */

const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("keyed queue", () => {
  it("runs one key's tasks one at a time in the order given, other keys alongside", async () => {
    const inLine = createKeyedQueue();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`${name} start`);
      await later(ms);
      events.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      inLine("run-1", task("a1", 30)),
      inLine("run-1", task("a2", 1)),
      inLine("run-2", task("b1", 5)),
    ]);
    expect(results).toEqual(["a1", "a2", "b1"]);
    expect(events.indexOf("a2 start")).toBeGreaterThan(events.indexOf("a1 end"));
    // run-2 did not wait for run-1.
    expect(events.indexOf("b1 end")).toBeLessThan(events.indexOf("a1 end"));
  });

  it("a task that fails rejects its own caller only; the next one in line still runs", async () => {
    const inLine = createKeyedQueue();
    const failing = inLine("run-1", async () => {
      await later(5);
      throw new Error("Redis answered too late");
    });
    const next = inLine("run-1", async () => "applied");
    await expect(failing).rejects.toThrow("Redis answered too late");
    expect(await next).toBe("applied");
  });
});
