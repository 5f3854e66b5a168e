import type { SharedSlot } from './shared-concurrency.js';

/** A waiter for a slot. */
interface Waiter {
  grant(): void;
}

/**
 * Slots counted in this process's memory, granted first come, first served, at most `limit()`
 * held (read at each acquire and release, so it may change): the memory budget's, and those a
 * loader holds while its shared budget cannot be reached (its `fallbackLimit`), so an outage of
 * the shared tier never lets every replica send its whole local limit at once.
 */
export class CountedSlots {
  #held = 0;
  readonly #waiting: Waiter[] = [];

  /** Slots held now. */
  get held(): number {
    return this.#held;
  }

  /** Resolves with a slot once fewer than `limit()` are held; rejects with the signal's reason, holding nothing, when it aborts. */
  acquire(limit: () => number, signal: AbortSignal): Promise<SharedSlot> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    if (this.#held < limit() && this.#waiting.length === 0) return Promise.resolve(this.#grant(limit));
    return new Promise<SharedSlot>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(signal.reason as Error);
      };
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.#grant(limit));
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #grant(limit: () => number): SharedSlot {
    this.#held++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#held--;
        while (this.#waiting.length > 0 && this.#held < limit()) this.#waiting.shift()!.grant();
      },
    };
  }
}
