/** The median and range of a set of samples. */
export interface Summary {
  median: number;
  min: number;
  max: number;
}

/** Median, min and max of `values` (at least one). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summarize needs at least one value');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number };
}

/** The nearest-rank percentile (`p` from 0 to 1) of values sorted ascending; NaN for none. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? Number.NaN : (sorted[Math.ceil(p * sorted.length) - 1] as number);
}
