import type { CanonicalKey } from './identifiers.js';

/**
 * Whose entries these are: shared keys carry the project, the resource and the principal, so
 * replicas of one service share entries while users, resources and projects never do.
 */
export interface SharedCacheScope {
  project: string;
  /** The resource path: `files`, `assets`, `events`, `timeseries` or `sequences`. */
  resource: string;
  /** Who the loader acts as (the pool's principal, or the loader's `principal` option). */
  principal: string;
}

/** An item to store, with every canonical key it answers (its id first). */
export interface SharedCacheItem {
  item: object;
  keys: readonly CanonicalKey[];
}

/**
 * What another replica invalidated: these keys of this scope, or (`keys: 'all'`) every key of
 * the scope. `origin` is the `SharedCache.id` of the instance that published it.
 */
export interface SharedCacheInvalidation {
  scope: SharedCacheScope;
  keys: readonly CanonicalKey[] | 'all';
  origin: string;
}

/**
 * A cache tier shared by the replicas of a service (`cache.shared`), behind each replica's
 * local cache: a chunk's keys are looked up in one call before it is sent, and its answers are
 * written back in one call. It is a cache, never the truth: a call that fails or takes too long
 * is treated as a miss (reads) or skipped (writes), and the loader goes on with CDF. Keys are
 * canonical keys (see `CanonicalKey`); values are items as CDF sent them.
 */
export interface SharedCache {
  /** Identifies this instance in the invalidations it publishes, so it can ignore its own. */
  readonly id: string;
  /**
   * One round trip for many keys: for each key, in order, the item, `null` when CDF is known to
   * have no such item, or `undefined` when the tier holds nothing fresh. Rejects on failure.
   */
  getMany(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<(object | null | undefined)[]>;
  /** One round trip: stores each item under all its keys, and "not found" for `notFound`. */
  setMany(scope: SharedCacheScope, items: readonly SharedCacheItem[], notFound: readonly CanonicalKey[]): Promise<void>;
  /** Deletes these keys (and every key of the items they hold), and tells the other replicas. */
  delete(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<void>;
  /** Deletes every key of the scope, and tells the other replicas. */
  clear(scope: SharedCacheScope): Promise<void>;
  /** Hears the invalidations other instances publish. Returns a function that stops listening. */
  subscribe(listener: (invalidation: SharedCacheInvalidation) => void): () => void;
}
