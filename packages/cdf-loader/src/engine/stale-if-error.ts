/**
 * Stale if error: when a request fails for an outage, its keys are answered from entries kept
 * past their time to live (`cache.staleIfErrorMs`), first the local cache's, then, in one round
 * trip, the shared tier's. It decides nothing else: which failures count as an outage is
 * `CdfApiError.isOutage`, and keys it cannot answer are left to reject with the request's error.
 */
import { NOT_FOUND, type ResultCache } from '../cache/result-cache.js';
import { CdfApiError } from '../errors/cdf-api-error.js';
import type { SharedTier } from '../shared/shared-tier.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { Pending } from './chunk.js';
import type { FanOut } from './fan-out.js';
import type { PendingKeys } from './pending-keys.js';

export class StaleIfError<TItem extends object> {
  readonly #cache: ResultCache<TItem>;
  readonly #shared: SharedTier<TItem> | undefined;
  readonly #keys: PendingKeys<TItem>;
  readonly #telemetry: Telemetry;
  /** Judges what the shared tier holds, as for a fresh read (see `FanOut.sharedEntryKeys`). */
  readonly #fanOut: FanOut<TItem>;

  constructor(cache: ResultCache<TItem>, shared: SharedTier<TItem> | undefined, keys: PendingKeys<TItem>, telemetry: Telemetry, fanOut: FanOut<TItem>) {
    this.#cache = cache;
    this.#shared = shared;
    this.#keys = keys;
    this.#telemetry = telemetry;
    this.#fanOut = fanOut;
  }

  /**
   * Answers what it can of these keys from stale entries, when `error` is an outage. Never for
   * another failure (a 401 or 403: a principal CDF now refuses sees nothing stale), never for a
   * key with nothing held within the grace.
   */
  async serve(loads: readonly Pending<TItem>[], error: unknown): Promise<void> {
    if (!(error instanceof CdfApiError) || !error.isOutage || loads.length === 0) return;
    const rest: Pending<TItem>[] = [];
    for (const pending of loads) {
      const entry = this.#cache.getStale(pending.key);
      if (entry === undefined) rest.push(pending);
      else this.#settle(pending, entry === NOT_FOUND ? null : entry);
    }
    if (rest.length === 0 || this.#shared === undefined) return;
    const found = await this.#shared.lookUpStale(rest.map((pending) => pending.key));
    if (found === undefined) return;
    for (let index = 0; index < rest.length; index++) {
      const entry = found[index];
      const pending = rest[index]!;
      if (entry === undefined || pending.settled) continue;
      if (entry !== null && this.#fanOut.sharedEntryKeys(entry, pending.key) === undefined) continue;
      this.#settle(pending, entry);
    }
  }

  #settle(pending: Pending<TItem>, entry: TItem | null): void {
    if (pending.settled) return;
    this.#telemetry.staleServed();
    if (entry === null) this.#keys.settleNotFound(pending);
    else this.#keys.settle(pending, { ok: true, value: entry });
  }
}
