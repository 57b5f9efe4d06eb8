/**
 * Order statistics of a sample, for step durations across runs. Pure. Quantiles interpolate
 * linearly between the closest ranks (the definition spreadsheets and numpy use by default), so
 * the median of [10, 20] is 15 and p90 of [1…10] is 9.1.
 */

export interface Spread {
  count: number;
  min: number;
  p10: number;
  median: number;
  p90: number;
  max: number;
}

/** The q-quantile (0 ≤ q ≤ 1) of values sorted ascending; undefined for an empty sample. */
export function quantileSorted(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`a quantile lies between 0 and 1, not ${q}`);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  const high = sorted[above] as number;
  return low + (high - low) * (position - below);
}

export function quantile(values: readonly number[], q: number): number | undefined {
  return quantileSorted(sortedCopy(values), q);
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** Count, min, p10, median, p90 and max; undefined for an empty sample. */
export function spreadOf(values: readonly number[]): Spread | undefined {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return undefined;
  const sorted = sortedCopy(finite);
  const at = (q: number) => quantileSorted(sorted, q) as number;
  return {
    count: sorted.length,
    min: sorted[0] as number,
    p10: at(0.1),
    median: at(0.5),
    p90: at(0.9),
    max: sorted[sorted.length - 1] as number,
  };
}

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}
