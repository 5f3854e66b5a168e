import type { Summary } from '../harness/stats.js';

/** 1234.5 → '1,235'; 3.21 → '3.2': enough digits to compare, no more. */
export function number(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const digits = Math.abs(value) < 10 && !Number.isInteger(value) ? 1 : 0;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The median with the range of the rounds, e.g. '812 (790–861)'; just the value when all agree. */
export function spread(summary: Summary, format: (value: number) => string = number): string {
  const median = format(summary.median);
  const min = format(summary.min);
  const max = format(summary.max);
  return min === max ? median : `${median} (${min}–${max})`;
}

/** Bytes as MB with one decimal. */
export function megabytes(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** A ratio such as '0.42×'. */
export function ratio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—';
}
