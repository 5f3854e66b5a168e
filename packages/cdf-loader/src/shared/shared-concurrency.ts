import { checkCount } from '../options/check.js';
import { CountedSlots } from './counted-slots.js';

/** A slot of the shared budget, held for one byids attempt. */
export interface SharedSlot {
  /** Gives the slot back. Safe to call more than once. */
  release(): void;
}

/**
 * A concurrency budget shared by the replicas of a service (`sharedConcurrency`): all of them
 * together hold at most `limit` byids requests in flight, because CDF throttles per project and
 * identity, not per process. A loader takes its local slot first, then a shared one, for each
 * attempt, and gives both back when the attempt ends (a retry waits holding neither).
 *
 * When the budget cannot be reached (`acquire` rejects with anything but the signal's reason),
 * the loader goes on under its local limit and `fallbackLimit`, and tries the budget again on
 * later requests.
 */
export interface SharedConcurrency {
  /** Most requests in flight across every replica. */
  readonly limit: number;
  /**
   * Most requests this replica holds in flight while the budget cannot be reached: its share of
   * `limit`, so an outage of the budget does not let every replica send its whole local limit at
   * once (CDF would answer 429). Read before each attempt, so it may change. Default (absent):
   * the local limit alone.
   */
  readonly fallbackLimit?: number;
  /**
   * Resolves with a slot once one is free. Rejects with the signal's reason when it aborts
   * (and then holds nothing), or with an error when the budget cannot be reached.
   */
  acquire(signal: AbortSignal): Promise<SharedSlot>;
}

/**
 * A shared budget in this process's memory: what `redisConcurrency` from `@cdf-loader/redis`
 * does across replicas, for tests and for loaders of one process with different credentials
 * that must share one project's limit.
 */
export class MemorySharedConcurrency implements SharedConcurrency {
  readonly limit: number;
  readonly #slots = new CountedSlots();

  /** @internal Use `createMemorySharedConcurrency`. */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Slots held now. */
  get held(): number {
    return this.#slots.held;
  }

  acquire(signal: AbortSignal): Promise<SharedSlot> {
    return this.#slots.acquire(() => this.limit, signal);
  }
}

/** A shared budget of `limit` slots in this process's memory (see `MemorySharedConcurrency`). */
export function createMemorySharedConcurrency(limit: number): MemorySharedConcurrency {
  return new MemorySharedConcurrency(checkCount('limit', limit, 1));
}
