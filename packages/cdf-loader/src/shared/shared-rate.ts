import { checkPositiveNumber } from '../options/check.js';

/**
 * A request rate shared by the replicas of a service (`sharedRate`): all of them together send at
 * most `perSecond` requests a second, because CDF limits the request rate per project and
 * identity, not per process, and counts a request it throttled for concurrency too. Every attempt
 * (each retry, each resend) takes a turn just before it is sent.
 *
 * When the rate cannot be reached (`reserve` rejects with anything but the signal's reason), the
 * loader keeps to this replica's share, `fallbackPerSecond`, and tries the shared rate again later:
 * an outage of the shared tier never lets the replicas stampede CDF together.
 */
export interface SharedRate {
  /** Most requests a second across every replica. */
  readonly perSecond: number;
  /** This replica's share of `perSecond` while the shared rate cannot be reached, in requests a second. */
  readonly fallbackPerSecond: number;
  /**
   * Reserves the next turn of the fleet and resolves with the milliseconds from now until it; the
   * turn is spent whether or not the request is then sent. Rejects with the signal's reason when
   * it aborts, or with an error when the shared rate cannot be reached.
   */
  reserve(signal: AbortSignal): Promise<number>;
}

/**
 * A shared rate in this process's memory: what `redisRate` from `@cdf-loader/redis` does across
 * replicas, for tests and for loaders of one process with different credentials that must keep
 * to one project's rate. Turns are `1000 / perSecond` ms apart, on this process's clock.
 */
export class MemorySharedRate implements SharedRate {
  readonly perSecond: number;
  readonly fallbackPerSecond: number;
  readonly #intervalMs: number;
  /** When the next turn is free (`performance.now()`). */
  #nextTurnAt = Number.NEGATIVE_INFINITY;

  /** @internal Use `createMemorySharedRate`. */
  constructor(perSecond: number) {
    this.perSecond = perSecond;
    this.fallbackPerSecond = perSecond;
    this.#intervalMs = 1000 / perSecond;
  }

  reserve(signal: AbortSignal): Promise<number> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    const now = performance.now();
    const turnAt = Math.max(now, this.#nextTurnAt);
    this.#nextTurnAt = turnAt + this.#intervalMs;
    return Promise.resolve(turnAt - now);
  }
}

/** A shared rate of `perSecond` requests a second in this process's memory (see `MemorySharedRate`). */
export function createMemorySharedRate(perSecond: number): MemorySharedRate {
  return new MemorySharedRate(checkPositiveNumber('perSecond', perSecond, 'requests per second'));
}
