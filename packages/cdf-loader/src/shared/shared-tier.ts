import type { CanonicalKey } from '../identifiers/identifiers.js';
import type { SharedCache, SharedCacheItem, SharedCacheScope, SharedCacheWriteOptions } from './shared-cache.js';
import type { SharedTierGuard } from './shared-tier-guard.js';

/**
 * How long a replica's claim on the keys it fetches holds, in milliseconds, and so the longest
 * another replica waits for that answer before fetching the keys itself (the claimer may have
 * died, or its request failed).
 */
export const CLAIM_TTL_MS = 5_000;

/** How often a replica waiting on another's claim looks for the answer, in milliseconds. */
export const CLAIM_POLL_MS = 10;

/**
 * One loader's view of the shared cache tier: its scope (project, resource, principal) on every
 * call, and the rule that the tier is a cache, never the truth. A call that fails is a miss (or a
 * write skipped); the loader never waits on a tier that is down, and never fails a load for it.
 */
export class SharedTier<TItem extends object> {
  readonly #cache: SharedCache;
  readonly #scope: SharedCacheScope;
  readonly #guard: SharedTierGuard;
  /** The loader's `cache.staleIfErrorMs`, given with every write. */
  readonly #writeOptions: SharedCacheWriteOptions | undefined;
  #unsubscribe: (() => void) | undefined;
  /** Writes started and not yet ended (see `close`). */
  readonly #writes = new Set<Promise<void>>();

  constructor(cache: SharedCache, scope: SharedCacheScope, guard: SharedTierGuard, staleIfErrorMs = 0) {
    this.#cache = cache;
    this.#scope = scope;
    this.#guard = guard;
    this.#writeOptions = staleIfErrorMs > 0 ? { staleIfErrorMs } : undefined;
  }

  /** Hears other replicas' `clear`, `clearAll` and `prime` of this scope. */
  onInvalidate(listener: (keys: readonly CanonicalKey[] | 'all') => void): void {
    this.#unsubscribe = this.#cache.subscribe((invalidation) => {
      if (invalidation.origin !== this.#cache.id && sameScope(invalidation.scope, this.#scope)) listener(invalidation.keys);
    });
  }

  /** For each key: the item, `null` (known not found), or `undefined`; all `undefined` when the tier cannot answer. */
  lookUp(keys: readonly CanonicalKey[]): Promise<(TItem | null | undefined)[] | undefined> {
    return this.#read(keys, (scope) => this.#cache.getMany(scope, keys));
  }

  /**
   * Stale if error: as `lookUp`, with entries kept past their time to live within the grace
   * (see `SharedCache.getStale`); `undefined` when the tier keeps none or cannot answer.
   */
  lookUpStale(keys: readonly CanonicalKey[]): Promise<(TItem | null | undefined)[] | undefined> {
    const getStale = this.#cache.getStale?.bind(this.#cache);
    if (this.#writeOptions === undefined || getStale === undefined) return Promise.resolve(undefined);
    return this.#read(keys, (scope) => getStale(scope, keys));
  }

  /**
   * Claims the keys this replica is about to fetch (see `SharedCache.claim`): for each, whether it
   * is ours to fetch. `undefined` when the tier cannot claim (no `claim`, or it is down): then
   * every key is fetched here.
   */
  async claim(keys: readonly CanonicalKey[]): Promise<boolean[] | undefined> {
    if (this.#cache.claim === undefined || keys.length === 0 || !this.#guard.usable) return undefined;
    try {
      const owned = await this.#cache.claim(this.#scope, keys, CLAIM_TTL_MS);
      this.#guard.succeeded();
      return owned;
    } catch (error) {
      this.#guard.failed(error);
      return undefined;
    }
  }

  store(items: readonly SharedCacheItem[], notFound: readonly CanonicalKey[]): void {
    this.#call(() => this.#cache.setMany(this.#scope, items, notFound, this.#writeOptions));
  }

  /** `prime`: drops every key of the version held now (a rename), then stores this one. */
  replace(item: TItem, keys: readonly CanonicalKey[]): void {
    this.#call(async () => {
      await this.#cache.delete(this.#scope, keys);
      await this.#cache.setMany(this.#scope, [{ item, keys }], [], this.#writeOptions);
    });
  }

  delete(keys: readonly CanonicalKey[]): void {
    this.#call(() => this.#cache.delete(this.#scope, keys));
  }

  clear(): void {
    this.#call(() => this.#cache.clear(this.#scope));
  }

  /**
   * Stops hearing other replicas, and resolves once the writes already started have ended, so a
   * caller that closes its Redis client next does not cut them off (nor read that as an outage).
   */
  close(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    return Promise.all(this.#writes).then(() => undefined);
  }

  /** One read of the tier: a miss for every key when it is down or fails (then marked down for a while). */
  async #read(
    keys: readonly CanonicalKey[],
    read: (scope: SharedCacheScope) => Promise<(object | null | undefined)[]>,
  ): Promise<(TItem | null | undefined)[] | undefined> {
    if (keys.length === 0 || !this.#guard.usable) return undefined;
    try {
      const found = await read(this.#scope);
      this.#guard.succeeded();
      return found as (TItem | null | undefined)[];
    } catch (error) {
      this.#guard.failed(error);
      return undefined;
    }
  }

  /** A write nobody waits for: its failure only marks the tier down for a while. */
  #call(write: () => Promise<void>): void {
    if (!this.#guard.usable) return;
    const done = write().then(
      () => this.#guard.succeeded(),
      (error: unknown) => this.#guard.failed(error),
    );
    this.#writes.add(done);
    void done.finally(() => this.#writes.delete(done));
  }
}

function sameScope(a: SharedCacheScope, b: SharedCacheScope): boolean {
  return a.project === b.project && a.resource === b.resource && a.principal === b.principal;
}
