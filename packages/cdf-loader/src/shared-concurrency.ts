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
 * the loader goes on under its local limit alone, and tries the budget again on later requests.
 */
export interface SharedConcurrency {
  /** Most requests in flight across every replica. */
  readonly limit: number;
  /**
   * Resolves with a slot once one is free. Rejects with the signal's reason when it aborts
   * (and then holds nothing), or with an error when the budget cannot be reached.
   */
  acquire(signal: AbortSignal): Promise<SharedSlot>;
}
