import { describe, expect, it } from "vitest";
import { createOffsetClock } from "../../src/core/clock.js";

describe("the offset clock the sandbox moves", () => {
  const base = { now: () => new Date("2026-11-20T09:00:00Z") };

  it("runs with its base clock until moved, then stays ahead by what it was moved", () => {
    const clock = createOffsetClock(base);
    expect(clock.now().toISOString()).toBe("2026-11-20T09:00:00.000Z");
    expect(clock.advance(15 * 60_000).toISOString()).toBe("2026-11-20T09:15:00.000Z");
    clock.advance(30 * 86_400_000);
    expect(clock.now().toISOString()).toBe("2026-12-20T09:15:00.000Z");
    expect(clock.offsetMs()).toBe(15 * 60_000 + 30 * 86_400_000);
  });

  it("never moves back: jobs already fired and times already shown must stay in the past", () => {
    const clock = createOffsetClock(base);
    expect(() => clock.advance(-1)).toThrow("only moves forward");
    expect(() => clock.advance(Number.NaN)).toThrow("only moves forward");
    expect(clock.offsetMs()).toBe(0);
  });
});
