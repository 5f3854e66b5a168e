import { type CanonicalKey, itemKeys } from '../identifiers/identifiers.js';
import { Lru } from './lru.js';

/** Stands for "CDF had no item for this key" in the cache. */
export const NOT_FOUND: unique symbol = Symbol('cdf-loader.notFound');

type Entry<TItem> = TItem | typeof NOT_FOUND;

/** An entry as `load()` hands it out: a settled promise of the item; `NOT_FOUND` as it is. */
type Settled<TItem> = Promise<TItem> | typeof NOT_FOUND;

function settledOf<TItem>(entry: Entry<TItem>): Settled<TItem> {
  return entry === NOT_FOUND ? NOT_FOUND : Promise.resolve(entry);
}

/** The cache's settings, checked. */
export interface ResultCacheSettings {
  max: number;
  ttlMs: number;
  notFoundTtlMs: number;
  /** How long an entry is kept past its time to live, to be served if its refetch meets an outage; 0: not kept. */
  staleIfErrorMs: number;
  /** How long past its time to live an entry is still served at once while it is refreshed; 0: never. */
  staleWhileRevalidateMs: number;
}

/** What the cache must know of the items of a resource that is not byids (see `Endpoint`). */
export interface CachedItemRules<TItem> {
  /** The keys an item is stored under (its first the one a newer version replaces it by). */
  itemKeys(item: unknown): CanonicalKey[] | string;
  /** How much longer an item may be served, in ms from epoch ms `now` (a download link's expiry). */
  freshFor?(item: TItem, now: number): number;
}

/**
 * Settled lookups, bounded by entry count and time. An item is stored under every identifier
 * it carries, so a file loaded by id is then a hit by its externalId and instanceId. Errors are
 * never stored.
 *
 * Memory follows use: the LRU is made on the first store and grows entry by entry, so a pool of
 * idle principals pays nothing for caches it has not filled. An item is held as it is, under each
 * key; its keys are worked out again (`itemKeys`) only when it is replaced or cleared, which is
 * rare, rather than held beside it.
 */
export class ResultCache<TItem extends object> {
  readonly #settings: ResultCacheSettings;
  readonly #rules: CachedItemRules<TItem> | undefined;
  #lru: Lru<CanonicalKey, Entry<TItem>, Settled<TItem>> | undefined;

  /** @param rules For items not from a byids endpoint; byids items are keyed by `itemKeys`. */
  constructor(settings: ResultCacheSettings, rules?: CachedItemRules<TItem>) {
    this.#settings = settings;
    this.#rules = rules;
  }

  /** Whether entries are kept past their time to live for stale-if-error (`cache.staleIfErrorMs`). */
  get keepsStale(): boolean {
    return this.#settings.staleIfErrorMs > 0;
  }

  /** The item, `NOT_FOUND`, or `undefined` when nothing fresh is held at `now` (`performance.now()` unless given). */
  get(key: CanonicalKey, now?: number): TItem | typeof NOT_FOUND | undefined {
    return this.#lru?.get(key, now);
  }

  /**
   * `get`, with the item as a promise resolved to it: made on the entry's first hit and kept with
   * it (a promise per entry hit, dropped with the entry), so a later hit allocates nothing.
   */
  getSettled(key: CanonicalKey): Settled<TItem> | undefined {
    return this.#lru?.getMemo(key, undefined, settledOf);
  }

  /**
   * The item or `NOT_FOUND`, fresh or expired less than `staleIfErrorMs` ago: what stale-if-error
   * serves when a refetch meets an outage. `undefined` when nothing is held within the grace.
   */
  getStale(key: CanonicalKey): TItem | typeof NOT_FOUND | undefined {
    return this.#lru?.getStale(key, this.#settings.staleIfErrorMs);
  }

  /**
   * The item or `NOT_FOUND` expired less than `staleWhileRevalidateMs` ago: what a load is
   * answered with at once while the key is refreshed. `undefined` otherwise.
   */
  getRevalidating(key: CanonicalKey, now?: number): TItem | typeof NOT_FOUND | undefined {
    return this.#settings.staleWhileRevalidateMs > 0 ? this.#lru?.getStale(key, this.#settings.staleWhileRevalidateMs, now) : undefined;
  }

  /**
   * Stores an item under each of its keys (its id first). The version it replaces loses the
   * keys it no longer carries (a renamed externalId), so they cannot serve it any more. Its
   * time to live runs from `now` (`performance.now()` unless given).
   */
  setItem(item: TItem, keys: readonly CanonicalKey[], now = performance.now()): void {
    let ttlMs = this.#settings.ttlMs;
    const freshFor = this.#rules?.freshFor;
    if (freshFor !== undefined) {
      // Held only while it may still be served: a link is never handed out expired.
      ttlMs = Math.min(ttlMs, freshFor(item, Date.now()));
      if (!(ttlMs > 0)) return;
    }
    const lru = (this.#lru ??= this.#create());
    const replaced = lru.set(keys[0]!, item, ttlMs, now);
    // The other keys are not set yet: what is dropped here is only what the new version no longer carries.
    if (replaced !== undefined && replaced !== NOT_FOUND && replaced !== item) this.#dropKeys(replaced, keys);
    for (let index = 1; index < keys.length; index++) lru.set(keys[index]!, item, ttlMs, now);
  }

  setNotFound(key: CanonicalKey, now?: number): void {
    if (this.#settings.notFoundTtlMs > 0) (this.#lru ??= this.#create()).set(key, NOT_FOUND, this.#settings.notFoundTtlMs, now);
  }

  /**
   * Removes the key and every key of the item it holds, and of the item held under that item's
   * id (which may be a newer version), so no alias of either is left.
   */
  delete(key: CanonicalKey): void {
    const lru = this.#lru;
    if (lru === undefined) return;
    const entry = lru.peek(key);
    lru.delete(key);
    if (entry === undefined || entry === NOT_FOUND) return;
    const current = lru.peek(this.#keysOf(entry)[0]!);
    this.#dropKeys(entry, []);
    if (current !== undefined && current !== NOT_FOUND) this.#dropKeys(current, []);
  }

  clear(): void {
    this.#lru?.clear();
  }

  /** Entries held (an item counts once per key). */
  get size(): number {
    return this.#lru?.size ?? 0;
  }

  /** Deletes the keys of `item` that still hold it, except those in `keep`. */
  #dropKeys(item: TItem, keep: readonly CanonicalKey[]): void {
    const lru = this.#lru!;
    for (const key of this.#keysOf(item)) {
      if (!keep.includes(key) && lru.peek(key) === item) lru.delete(key);
    }
  }

  #create(): Lru<CanonicalKey, Entry<TItem>, Settled<TItem>> {
    // Items that expire (download links) are never served past their life, so none is kept stale.
    const graceMs = this.#rules?.freshFor === undefined ? Math.max(this.#settings.staleIfErrorMs, this.#settings.staleWhileRevalidateMs) : 0;
    return new Lru<CanonicalKey, Entry<TItem>, Settled<TItem>>(this.#settings.max, graceMs);
  }

  /** The keys of an item the cache holds: it passed `itemKeys` before it was stored. */
  #keysOf(item: object): CanonicalKey[] {
    return (this.#rules?.itemKeys ?? itemKeys)(item) as CanonicalKey[];
  }
}
