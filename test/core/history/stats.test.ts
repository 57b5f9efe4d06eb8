import { describe, expect, it } from "vitest";
import { median, quantile, spreadOf } from "../../../src/core/history/stats.js";

describe("order statistics of durations", () => {
  it("interpolates quantiles between the closest ranks", () => {
    expect(median([10, 20])).toBe(15);
    expect(median([5, 1, 3])).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.1)).toBeCloseTo(1.9);
    expect(quantile([42], 0.9)).toBe(42);
    expect(quantile([], 0.5)).toBeUndefined();
  });

  it("gives count, min, p10, median, p90 and max of a sample in any order", () => {
    expect(spreadOf([540, 180, 360, 240, 420])).toEqual({
      count: 5,
      min: 180,
      p10: 204,
      median: 360,
      p90: 492,
      max: 540,
    });
    expect(spreadOf([])).toBeUndefined();
  });

  it("refuses a quantile outside 0…1", () => {
    expect(() => quantile([1, 2], 1.5)).toThrow(RangeError);
  });
});
