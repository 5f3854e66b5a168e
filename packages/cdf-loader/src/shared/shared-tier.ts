import { sleep } from '../abortable.js';
import type { CanonicalKey } from '../identifiers/identifiers.js';
import type { SharedCache, SharedCacheItem, SharedCacheScope, SharedCacheWriteOptions } from './shared-cache.js';
import { SHARED_TIER_RETRY_MS, type SharedTierGuard } from './shared-tier-guard.js';

/**
 * How long a replica's claim on the keys it fetches holds, in milliseconds, and so the longest
 * another replica waits for that answer before fetching the keys itself (the claimer may have
 * died, or its request failed).
 */
export const CLAIM_TTL_MS = 5_000;

/** How often a replica waiting on another's claim looks for the answer, in milliseconds. */
export const CLAIM_POLL_MS = 10;

/** The same, for a tier that says when answers are stored (`subscribeStored`): a lost message costs this. */
export const CLAIM_FALLBACK_POLL_MS = 100;

/** Most items kept to be written once a tier that was down is back (see `SharedTier.store`). */
const UNWRITTEN_LIMIT = 10_000;

/** Hears that `key` was stored, with the answer the message carried (`undefined`: none). */
type StoredWaiter<TItem> = (key: CanonicalKey, item: TItem | null | undefined) => void;

/** Answers fetched while the tier could not take them, and when. */
interface Unwritten {
  items: readonly SharedCacheItem[];
  notFound: readonly CanonicalKey[];
  at: number;
}

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
  #unsubscribeStored: (() => void) | undefined;
  /** `close()` was called: answers that cannot be written are no longer kept for later. */
  #closed = false;
  /** Waiters for answers of other replicas, by key (see `nextStored`). */
  readonly #storedWaiters = new Map<CanonicalKey, Set<StoredWaiter<TItem>>>();
  /** Writes started and not yet ended (see `close`). */
  readonly #writes = new Set<Promise<void>>();
  /** Answers not written because the tier was down, oldest first (see `store`). */
  #unwritten: Unwritten[] = [];
  #unwrittenItems = 0;
  /** Writes what is unwritten when no other call to the tier comes first (see `#keepUnwritten`). */
  #flushTimer: NodeJS.Timeout | undefined;

  constructor(cache: SharedCache, scope: SharedCacheScope, guard: SharedTierGuard, staleIfErrorMs = 0) {
    this.#cache = cache;
    this.#scope = scope;
    this.#guard = guard;
    this.#writeOptions = staleIfErrorMs > 0 ? { staleIfErrorMs } : undefined;
  }

  /** Hears other replicas' `clear`, `clearAll` and `prime` of this scope. */
  onInvalidate(listener: (keys: readonly CanonicalKey[] | 'all') => void): void {
    this.#unsubscribe = this.#cache.subscribe((invalidation) => {
      if (invalidation.origin !== this.#cache.id && sameScope(invalidation.scope, this.#scope)) {
        this.#forgetUnwritten();
        listener(invalidation.keys);
      }
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
      this.#succeeded();
      return owned;
    } catch (error) {
      this.#guard.failed(error);
      return undefined;
    }
  }

  /** Gives back claims on keys this replica will not answer (see `SharedCache.release`); a write nobody waits for. */
  release(keys: readonly CanonicalKey[]): void {
    const release = this.#cache.release?.bind(this.#cache);
    if (release !== undefined && keys.length > 0) this.#call(() => release(this.#scope, keys));
  }

  /**
   * `lookUp`, then `claim` on the keys it did not find, in one round trip where the tier can: for
   * each key, the item or `null` when the tier has its answer, else whether it is ours to fetch.
   * `undefined` when the tier cannot answer: then every key is fetched here.
   */
  async lookUpAndClaim(keys: readonly CanonicalKey[]): Promise<(TItem | null | boolean)[] | undefined> {
    const cache = this.#cache;
    if (cache.lookUpAndClaim === undefined) return this.#lookUpThenClaim(keys);
    if (keys.length === 0 || !this.#guard.usable) return undefined;
    try {
      const found = await cache.lookUpAndClaim(this.#scope, keys, CLAIM_TTL_MS);
      this.#succeeded();
      return found as (TItem | null | boolean)[];
    } catch (error) {
      this.#guard.failed(error);
      return undefined;
    }
  }

  /**
   * Starts hearing which answers this replica waited for are stored (see `nextStored`), before
   * it claims anything: a message that came before would be lost, and its waiter would poll.
   */
  listenForStored(): void {
    this.#unsubscribeStored ??= this.#cache.subscribeStored?.((scope, keys, items) => {
      if (!sameScope(scope, this.#scope)) return;
      for (let index = 0; index < keys.length; index++) {
        const key = keys[index]!;
        for (const hear of this.#storedWaiters.get(key) ?? []) hear(key, items?.[index] as TItem | null | undefined);
      }
    });
  }

  /**
   * Resolves when the tier says some of these keys were answered, with those keys and, for each,
   * the answer the message carried (`undefined`: none, to be read); or with no key after the poll
   * interval (`CLAIM_POLL_MS`, or `CLAIM_FALLBACK_POLL_MS` for a tier that says); rejects when
   * `signal` aborts.
   */
  async nextStored(keys: readonly CanonicalKey[], signal: AbortSignal): Promise<Map<CanonicalKey, TItem | null | undefined>> {
    const heard = new Map<CanonicalKey, TItem | null | undefined>();
    if (this.#unsubscribeStored === undefined) {
      await sleep(CLAIM_POLL_MS, signal);
      return heard;
    }
    let wake: () => void = () => {};
    const woken = new Promise<void>((resolve) => (wake = resolve));
    // One message names many keys: all are heard before the waiter goes on.
    const hear: StoredWaiter<TItem> = (key, item) => {
      heard.set(key, item);
      wake();
    };
    for (const key of keys) {
      let waiters = this.#storedWaiters.get(key);
      if (waiters === undefined) this.#storedWaiters.set(key, (waiters = new Set()));
      waiters.add(hear);
    }
    const timer = new AbortController();
    try {
      await Promise.race([woken, sleep(CLAIM_FALLBACK_POLL_MS, AbortSignal.any([signal, timer.signal]))]);
      return heard;
    } finally {
      timer.abort();
      for (const key of keys) {
        const waiters = this.#storedWaiters.get(key);
        waiters?.delete(hear);
        if (waiters?.size === 0) this.#storedWaiters.delete(key);
      }
    }
  }

  /**
   * Writes the answers back. When the tier cannot take them (down, or the write fails), they are
   * kept and written with the first call that succeeds once it is back, if they are younger than
   * `CLAIM_TTL_MS`: a claim this replica took on them (perhaps by a call that timed out here and
   * reached Redis later) ends only when they are written, and the other replicas wait on it.
   */
  store(items: readonly SharedCacheItem[], notFound: readonly CanonicalKey[]): void {
    const unwritten = { items, notFound, at: performance.now() };
    this.#call(
      () => this.#cache.setMany(this.#scope, items, notFound, this.#writeOptions),
      () => this.#keepUnwritten(unwritten),
    );
  }

  /** `prime`: drops every key of the version held now (a rename), then stores this one. */
  replace(item: TItem, keys: readonly CanonicalKey[]): void {
    this.#forgetUnwritten();
    this.#call(async () => {
      await this.#cache.delete(this.#scope, keys);
      await this.#cache.setMany(this.#scope, [{ item, keys }], [], this.#writeOptions);
    });
  }

  delete(keys: readonly CanonicalKey[]): void {
    this.#forgetUnwritten();
    this.#call(() => this.#cache.delete(this.#scope, keys));
  }

  clear(): void {
    this.#forgetUnwritten();
    this.#call(() => this.#cache.clear(this.#scope));
  }

  /**
   * Stops hearing other replicas, and resolves once the writes already started have ended, so a
   * caller that closes its Redis client next does not cut them off (nor read that as an outage).
   */
  close(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#unsubscribeStored?.();
    this.#unsubscribeStored = undefined;
    // A write still in flight that fails now keeps nothing: nobody is left to write it.
    this.#closed = true;
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#forgetUnwritten();
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
      this.#succeeded();
      return found as (TItem | null | undefined)[];
    } catch (error) {
      this.#guard.failed(error);
      return undefined;
    }
  }

  /** For a tier without `lookUpAndClaim`: two round trips. */
  async #lookUpThenClaim(keys: readonly CanonicalKey[]): Promise<(TItem | null | boolean)[] | undefined> {
    const found = await this.lookUp(keys);
    if (found === undefined) return undefined;
    const missing = keys.filter((_, index) => found[index] === undefined);
    const owned = missing.length === 0 ? [] : await this.claim(missing);
    let next = 0;
    // A key the tier cannot claim is fetched here.
    return found.map((entry) => (entry === undefined ? (owned?.[next++] ?? true) : entry));
  }

  /** A write nobody waits for: its failure marks the tier down for a while, and calls `onFailure`. */
  #call(write: () => Promise<void>, onFailure?: () => void): void {
    if (!this.#guard.usable) {
      onFailure?.();
      return;
    }
    const done = write().then(
      () => this.#succeeded(),
      (error: unknown) => {
        this.#guard.failed(error);
        onFailure?.();
      },
    );
    this.#writes.add(done);
    void done.finally(() => this.#writes.delete(done));
  }

  /** The tier answered: it is up, and what it could not take before is written now. */
  #succeeded(): void {
    this.#guard.succeeded();
    this.#flushUnwritten();
  }

  /** Writes what the tier could not take before, in one call, if it is young enough to matter. */
  #flushUnwritten(): void {
    if (this.#unwritten.length === 0) return;
    const oldest = performance.now() - CLAIM_TTL_MS;
    const young = this.#unwritten.filter(({ at }) => at > oldest);
    this.#forgetUnwritten();
    if (young.length === 0) return;
    const merged = {
      items: young.flatMap((entry) => entry.items),
      notFound: young.flatMap((entry) => entry.notFound),
      at: Math.min(...young.map(({ at }) => at)),
    };
    this.#call(
      () => this.#cache.setMany(this.#scope, merged.items, merged.notFound, this.#writeOptions),
      () => this.#keepUnwritten(merged),
    );
  }

  /**
   * Keeps answers the tier could not take, to write with its next call that succeeds, or after
   * `SHARED_TIER_RETRY_MS` when none comes: a replica that goes quiet after an outage would
   * otherwise hold its claims (perhaps taken by a call that timed out here but ran in Redis later)
   * until they expire, and other replicas would wait that long for answers it has.
   */
  #keepUnwritten(unwritten: Unwritten): void {
    if (this.#closed) return;
    if (this.#flushTimer === undefined) {
      this.#flushTimer = setTimeout(() => {
        this.#flushTimer = undefined;
        this.#flushUnwritten();
      }, SHARED_TIER_RETRY_MS);
      this.#flushTimer.unref();
    }
    this.#unwritten.push(unwritten);
    this.#unwrittenItems += unwritten.items.length + unwritten.notFound.length;
    while (this.#unwrittenItems > UNWRITTEN_LIMIT && this.#unwritten.length > 1) {
      const dropped = this.#unwritten.shift()!;
      this.#unwrittenItems -= dropped.items.length + dropped.notFound.length;
    }
  }

  /** An invalidation makes what was kept possibly stale: it is dropped, and the claims on it expire. */
  #forgetUnwritten(): void {
    this.#unwritten = [];
    this.#unwrittenItems = 0;
  }
}

function sameScope(a: SharedCacheScope, b: SharedCacheScope): boolean {
  return a.project === b.project && a.resource === b.resource && a.principal === b.principal;
}
