import { LRUCache } from 'lru-cache';
import { type CanonicalKey, itemKeys } from './identifiers.js';

/** Options of the shared result cache. */
export interface CacheOptions {
  /**
   * Most entries held. An item takes one entry per identifier it carries (id, externalId,
   * instanceId), so 10,000 entries hold between 3,333 and 10,000 items.
   * @default 10_000
   */
  max?: number;
  /**
   * How long a found item is served from the cache, in milliseconds. `Infinity`: until evicted.
   * @default 60_000
   */
  ttlMs?: number;
  /**
   * How long "CDF has no such item" is remembered, in milliseconds; 0 does not remember it.
   * @default 5_000
   */
  notFoundTtlMs?: number;
}

/** Stands for "CDF had no item for this key" in the cache. */
export const NOT_FOUND: unique symbol = Symbol('cdf-loader.notFound');

type Entry<TItem> = TItem | typeof NOT_FOUND;

/**
 * Settled lookups, bounded by entry count and time. An item is stored under every identifier
 * it carries, so a file loaded by id is then a hit by its externalId and instanceId. Errors are
 * never stored.
 */
export class ResultCache<TItem extends object> {
  readonly #lru: LRUCache<CanonicalKey, Entry<TItem>>;
  readonly #notFoundTtlMs: number;

  constructor(options: Required<CacheOptions>) {
    this.#notFoundTtlMs = options.notFoundTtlMs;
    this.#lru = new LRUCache<CanonicalKey, Entry<TItem>>({
      max: options.max,
      ttl: toLruTtl(options.ttlMs),
      // lru-cache keeps the `performance` object it saw at import; reading the global at call
      // time lets fake timers (and anything else that swaps the clock) apply to TTLs.
      perf: { now: () => performance.now() },
    });
  }

  /** The item, `NOT_FOUND`, or `undefined` when nothing fresh is held. */
  get(key: CanonicalKey): Entry<TItem> | undefined {
    return this.#lru.get(key);
  }

  /** Stores an item under each of its keys. */
  setItem(item: TItem, keys: readonly CanonicalKey[]): void {
    for (const key of keys) this.#lru.set(key, item);
  }

  setNotFound(key: CanonicalKey): void {
    if (this.#notFoundTtlMs > 0) this.#lru.set(key, NOT_FOUND, { ttl: this.#notFoundTtlMs });
  }

  /** Removes the key and, when it holds an item, every other key of that item. */
  delete(key: CanonicalKey): void {
    const entry = this.#lru.peek(key, { allowStale: true });
    if (entry !== undefined && entry !== NOT_FOUND) {
      for (const alias of itemKeys(entry)) this.#lru.delete(alias);
    }
    this.#lru.delete(key);
  }

  clear(): void {
    this.#lru.clear();
  }

  get size(): number {
    return this.#lru.size;
  }
}

/** lru-cache reads a ttl of 0 as "never expires". */
function toLruTtl(ttlMs: number): number {
  return ttlMs === Number.POSITIVE_INFINITY ? 0 : ttlMs;
}
