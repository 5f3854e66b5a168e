import { publishSharedTier, type SharedTierEvent } from '../telemetry/telemetry.js';

/** How long a shared tier that failed is left alone before it is tried again, in milliseconds. */
export const SHARED_TIER_RETRY_MS = 1_000;

/**
 * Keeps a loader working when a shared tier (Redis) is slow or down: after a failure the tier
 * is skipped for `SHARED_TIER_RETRY_MS`, then tried again, so an outage costs one timeout per
 * second rather than one per request. The outage is told once (`cdf-loader:sharedTier`, `down`),
 * and its end once (`up`).
 */
export class SharedTierGuard {
  readonly #tier: SharedTierEvent['tier'];
  #down = false;
  #retryAt = 0;

  constructor(tier: SharedTierEvent['tier']) {
    this.#tier = tier;
  }

  /** Whether to use the tier now: always while it works; once a second while it is down. */
  get usable(): boolean {
    return !this.#down || performance.now() >= this.#retryAt;
  }

  succeeded(): void {
    if (!this.#down) return;
    this.#down = false;
    publishSharedTier({ tier: this.#tier, state: 'up', error: undefined });
  }

  failed(error: unknown): void {
    this.#retryAt = performance.now() + SHARED_TIER_RETRY_MS;
    if (this.#down) return;
    this.#down = true;
    publishSharedTier({ tier: this.#tier, state: 'down', error: error instanceof Error ? error : new Error(String(error)) });
  }
}
