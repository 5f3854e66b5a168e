import type { LimitFunction } from 'p-limit';

/** How many times longer a run of successes must be before trying again the level CDF throttled. */
const PROBE_PATIENCE = 8;

/**
 * AIMD control of a limiter's concurrency: a 429 halves it, and each run of successful requests
 * as long as the current limit raises it by one, never above the configured maximum. A loader
 * that meets a throttled project backs off instead of hammering it, and climbs back when CDF has
 * room again. Going back up to the level that met the 429 waits for a run eight times as long,
 * since every such probe costs a throttled request when CDF is still full.
 */
export class AdaptiveConcurrency {
  readonly #limiter: LimitFunction;
  readonly #max: number;
  readonly #enabled: boolean;
  #successes = 0;
  /** The concurrency that last met a 429; `Infinity` once a probe at that level got through. */
  #ceiling = Number.POSITIVE_INFINITY;
  /** Bumped on every decrease; see `throttled`. */
  #generation = 0;

  constructor(limiter: LimitFunction, enabled: boolean) {
    this.#limiter = limiter;
    this.#max = limiter.concurrency;
    this.#enabled = enabled;
  }

  /** Runs `task` when a slot is free. */
  run<T>(task: () => Promise<T>): Promise<T> {
    return this.#limiter(task);
  }

  /** The concurrency in force now. */
  get current(): number {
    return this.#limiter.concurrency;
  }

  /** Taken when an attempt starts, and handed back to `throttled`. */
  get generation(): number {
    return this.#generation;
  }

  succeeded(): void {
    if (!this.#enabled || this.current >= this.#max) return;
    const next = this.current + 1;
    const probing = next >= this.#ceiling;
    if (++this.#successes < (probing ? PROBE_PATIENCE * this.current : this.current)) return;
    this.#successes = 0;
    if (probing) this.#ceiling = Number.POSITIVE_INFINITY;
    this.#limiter.concurrency = next;
  }

  /**
   * Requests in flight together all meet the same overload; only the first 429 of those sent
   * before the last decrease counts, or one burst would cut the limit to 1 at once.
   */
  throttled(generationAtStart: number): void {
    if (!this.#enabled || generationAtStart !== this.#generation) return;
    this.#generation++;
    this.#successes = 0;
    this.#ceiling = this.current;
    this.#limiter.concurrency = Math.max(1, Math.floor(this.current / 2));
  }
}
