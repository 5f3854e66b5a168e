import { publishSharedTier, type SharedTierEvent } from '../telemetry/telemetry.js';

/** How long a shared tier that failed is left alone before it is tried again, in milliseconds. */
export const SHARED_TIER_RETRY_MS = 1_000;

/**
 * Failures in a row after which the tier is left alone: one slow call (a busy machine can hold a
 * Redis answer past its deadline) is a miss for that call only, not a reason to stop sharing.
 */
export const SHARED_TIER_FAILURES = 3;

/**
 * Keeps a loader working when a shared tier (Redis) is slow or down: after `SHARED_TIER_FAILURES`
 * failures in a row the tier is skipped for `SHARED_TIER_RETRY_MS`, then tried again, so an outage
 * costs a few timeouts per second rather than one per request. The outage is told once, at its first
 * failure (`cdf-loader:sharedTier`, `down`), and its end once (`up`).
 */
export class SharedTierGuard {
  readonly #tier: SharedTierEvent['tier'];
  #down = false;
  #failures = 0;
  #retryAt = 0;

  constructor(tier: SharedTierEvent['tier']) {
    this.#tier = tier;
  }

  /** Whether to use the tier now: always while it works; once a second after failures in a row. */
  get usable(): boolean {
    return this.#failures < SHARED_TIER_FAILURES || performance.now() >= this.#retryAt;
  }

  /** When the tier is tried again after failures in a row (`performance.now()`); in the past while it is usable. */
  get retryAt(): number {
    return this.#failures < SHARED_TIER_FAILURES ? 0 : this.#retryAt;
  }

  succeeded(): void {
    this.#failures = 0;
    if (!this.#down) return;
    this.#down = false;
    publishSharedTier({ tier: this.#tier, state: 'up', error: undefined });
  }

  failed(error: unknown): void {
    // A failed retry leaves the tier alone for another while at once.
    this.#failures = this.#failures >= SHARED_TIER_FAILURES ? SHARED_TIER_FAILURES : this.#failures + 1;
    if (this.#failures >= SHARED_TIER_FAILURES) this.#retryAt = performance.now() + SHARED_TIER_RETRY_MS;
    if (this.#down) return;
    this.#down = true;
    publishSharedTier({ tier: this.#tier, state: 'down', error: error instanceof Error ? error : new Error(String(error)) });
  }
}
