/**
 * `prime`, `clear` and `clearAll`, here or from another replica: what they do to the caches, to
 * the keys in flight and to the invalidation stamps. It owns no state of its own; it never sends
 * or answers a request.
 */
import type { ResultCache } from '../cache/result-cache.js';
import type { CanonicalKey } from '../identifiers/identifiers.js';
import type { SharedTier } from '../shared/shared-tier.js';
import type { Invalidations } from './invalidations.js';
import type { PendingKeys } from './pending-keys.js';

export class Invalidator<TItem extends object> {
  readonly #invalidations: Invalidations;
  readonly #keys: PendingKeys<TItem>;
  readonly #cache: ResultCache<TItem> | undefined;
  readonly #shared: SharedTier<TItem> | undefined;

  constructor(invalidations: Invalidations, keys: PendingKeys<TItem>, cache: ResultCache<TItem> | undefined, shared: SharedTier<TItem> | undefined) {
    this.#invalidations = invalidations;
    this.#keys = keys;
    this.#cache = cache;
    this.#shared = shared;
  }

  /** Stores an item under all of its keys, here and in the shared tier, replacing what they held. */
  prime(item: TItem, keys: readonly CanonicalKey[]): void {
    this.#invalidate(keys);
    this.#cache?.setItem(item, keys);
    this.#shared?.replace(item, keys);
  }

  /** Forgets the key (and every other key of its item), here and in the shared tier. */
  clear(key: CanonicalKey): void {
    this.#invalidate([key]);
    this.#cache?.delete(key);
    this.#shared?.delete([key]);
  }

  clearAll(): void {
    this.#invalidations.all();
    this.#cache?.clear();
    for (const key of [...this.#keys.byKey.keys()]) this.#keys.detachIfSent(key);
    this.#shared?.clear();
  }

  /** Another replica cleared or primed these keys (or, `'all'`, everything): the local cache forgets them. */
  fromReplica(keys: readonly CanonicalKey[] | 'all'): void {
    if (keys === 'all') {
      this.#invalidations.all();
      this.#cache?.clear();
      return;
    }
    this.#invalidate(keys);
    for (const key of keys) this.#cache?.delete(key);
  }

  /** Marks keys invalidated now: answers already on their way are not cached for them. */
  #invalidate(keys: readonly CanonicalKey[]): void {
    this.#invalidations.keys(keys);
    for (const key of keys) this.#keys.detachIfSent(key);
  }
}
