import type { Lane } from '../engine/outgoing-request.js';
import { publishConcurrency } from '../telemetry/telemetry.js';
import { LaneQueue, type LaneSlot } from './lane-queue.js';

/** Options of `createConcurrencyLimit`. */
export interface ConcurrencyLimitOptions {
  /**
   * byids requests in flight at once, for every loader given this limit. CDF throttles per
   * identity and per project; 4 is what Cognite's Python SDK uses for files.
   * @default 4
   */
  maxConcurrency?: number;
  /**
   * Halve the concurrency when CDF answers 429 and raise it by one per run of successful
   * requests (AIMD), never above `maxConcurrency`. Turn off only for an identity nobody else uses.
   * @default true
   */
  adaptive?: boolean;
}

/** How many times longer a run of successes must be before trying again the level CDF throttled. */
const PROBE_PATIENCE = 8;

let limiterIds = 0;

/**
 * A limit on byids requests in flight, shared by every loader it is given to (as `limiter`):
 * loaders of one project and identity share what CDF allows them, and what its 429s taught.
 * `createCdfLoaders` makes one for its set; make one yourself for loaders created apart.
 *
 * With `adaptive`, AIMD: a 429 halves the limit, and each run of successful requests as long as
 * the current limit raises it by one, never above the maximum. A loader that meets a throttled
 * project backs off instead of hammering it, and climbs back when CDF has room again. Going back
 * up to the level that met the 429 waits for a run eight times as long, since every such probe
 * costs a throttled request when CDF is still full.
 */
export class ConcurrencyLimit {
  /** The configured maximum. */
  readonly max: number;
  /** Stable for the limit's lifetime; names it in `cdf-loader:concurrency` events. */
  readonly id = ++limiterIds;
  readonly #limiter: LaneQueue;
  readonly #adaptive: boolean;
  #successes = 0;
  /** The concurrency that last met a 429; `Infinity` once a probe at that level got through. */
  #ceiling = Number.POSITIVE_INFINITY;
  /** Bumped on every decrease; see `throttled`. */
  #generation = 0;

  /** @internal Use `createConcurrencyLimit`. */
  constructor(max: number, adaptive: boolean) {
    this.max = max;
    this.#adaptive = adaptive;
    this.#limiter = new LaneQueue(max);
  }

  /** The limit in force now: `max`, or less while CDF answers 429. */
  get current(): number {
    return this.#limiter.concurrency;
  }

  /** @internal Whether interactive requests are coming now (see `LaneQueue`): bulk then paces itself. */
  get interactiveRecently(): boolean {
    return this.#limiter.interactiveRecently;
  }

  /** Requests holding a slot now. */
  get active(): number {
    return this.#limiter.active;
  }

  /** Requests waiting for a slot now. */
  get waiting(): number {
    return this.#limiter.waiting;
  }

  /**
   * @internal Runs `task` when a slot of its lane is free (see `LaneQueue`: interactive first,
   * bulk never starved), in the async context of the caller rather than that of whichever task
   * freed the slot, so tracing sees the right parent. A task whose `signal` aborts while it waits
   * leaves the queue, rejecting with the reason.
   */
  run<T>(task: (slot: LaneSlot) => Promise<T>, lane: () => Lane, signal?: AbortSignal): Promise<T> {
    return this.#limiter.run(task, lane, signal);
  }

  /** @internal Taken when an attempt starts, and handed back to `throttled`. */
  get generation(): number {
    return this.#generation;
  }

  /** @internal An attempt got through. */
  succeeded(): void {
    if (!this.#adaptive || this.current >= this.max) return;
    const next = this.current + 1;
    const probing = next >= this.#ceiling;
    if (++this.#successes < (probing ? PROBE_PATIENCE * this.current : this.current)) return;
    this.#successes = 0;
    if (probing) this.#ceiling = Number.POSITIVE_INFINITY;
    this.#set(next);
  }

  /**
   * @internal CDF answered 429. Requests in flight together all meet the same overload; only
   * the first 429 of those sent before the last decrease counts, or one burst would cut the limit
   * to 1 at once.
   */
  throttled(generationAtStart: number): void {
    if (!this.#adaptive || generationAtStart !== this.#generation) return;
    this.#generation++;
    this.#successes = 0;
    this.#ceiling = this.current;
    this.#set(Math.max(1, Math.floor(this.current / 2)));
  }

  #set(limit: number): void {
    this.#limiter.concurrency = limit;
    publishConcurrency({ limit, max: this.max, limiterId: this.id });
  }
}
