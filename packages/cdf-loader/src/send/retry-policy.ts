import type { RetryOptions } from '../options/options.js';
import type { AttemptFailure } from '../transport/transport.js';

/** Statuses CDF uses for "try again later": throttling and gateway trouble. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

/**
 * Whether a failed attempt is worth another: throttling and gateway statuses, CDF's
 * `cdf-is-auto-retryable`, no answer at all, and a `getToken` that did not answer in time (a
 * hung identity provider costs an attempt; the next one asks again). Never a malformed answer,
 * a `getToken` that failed outright, or another client error: asking again would get the same.
 */
export function isRetryable(failure: AttemptFailure): boolean {
  switch (failure.kind) {
    case 'http':
      return RETRYABLE_STATUSES.has(failure.status) || failure.autoRetryable;
    case 'network':
    case 'timeout':
    case 'tokenTimeout':
      return true;
    case 'malformed':
    case 'token':
      return false;
  }
}

/**
 * The identifiers CDF called duplicated, when the failure is its 400 (422 for time series) with
 * a non-empty `duplicated`: the request is to be sent again without them (see
 * `OutgoingRequest.withdraw`). `undefined` for any other failure.
 */
export function duplicatedOf(failure: AttemptFailure): readonly unknown[] | undefined {
  if (failure.kind !== 'http' || (failure.status !== 400 && failure.status !== 422)) return undefined;
  const { duplicated } = failure.error as { duplicated?: unknown };
  return Array.isArray(duplicated) && duplicated.length > 0 ? duplicated : undefined;
}

/**
 * How long to wait before attempt `attempt + 1`, in milliseconds: `Retry-After` when CDF sent
 * one, capped at `maxDelayMs`; else full jitter, uniform in 0..cap with the cap doubling per
 * retry from `baseDelayMs` up to `maxDelayMs`.
 */
export function retryDelay(retry: Required<RetryOptions>, attempt: number, failure: AttemptFailure): number {
  if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, retry.maxDelayMs);
  return Math.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
}
