import type { CanonicalKey } from '../identifiers/identifiers.js';

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
  /**
   * One round trip: stores each item under all its keys, and "not found" for `notFound`. With
   * `staleIfErrorMs` > 0 (the loader's `cache.staleIfErrorMs`) each entry is also kept that much
   * past its time to live, for `getStale`; a tier without `getStale` may ignore it.
   */
  setMany(scope: SharedCacheScope, items: readonly SharedCacheItem[], notFound: readonly CanonicalKey[], options?: SharedCacheWriteOptions): Promise<void>;
  /**
   * Stale if error: one round trip for many keys, read only when a request met an outage. For
   * each key, in order, the item or `null` held now or expired less than the `staleIfErrorMs` it
   * was stored with ago, else `undefined`. Rejects on failure. Optional: a tier without it serves
   * nothing stale, so a replica started during an outage has only its own cache.
   */
  getStale?(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<(object | null | undefined)[]>;
  /** Deletes these keys (and every key of the items they hold), and tells the other replicas. */
  delete(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<void>;
  /** Deletes every key of the scope, and tells the other replicas. */
  clear(scope: SharedCacheScope): Promise<void>;
  /** Hears the invalidations other instances publish. Returns a function that stops listening. */
  subscribe(listener: (invalidation: SharedCacheInvalidation) => void): () => void;
  /**
   * Claims keys this instance is about to ask CDF for, for `ttlMs`: for each key, whether this
   * instance holds the claim now (`false` too for a key whose answer is already stored: it is to
   * be read, not fetched). A key another replica holds is being fetched there, and its
   * answer will be written back (`setMany`, which ends the claims of what it stores), so this
   * replica waits for it instead of fetching it too. Optional: a tier without it shares answers,
   * not fetches in flight.
   */
  claim?(scope: SharedCacheScope, keys: readonly CanonicalKey[], ttlMs: number): Promise<boolean[]>;
  /**
   * Gives back this instance's claims on keys it will not answer after all (its request failed,
   * or every caller gave up), and tells the instances waiting on them (`subscribeStored`, with no
   * answer), which then look the keys up, claim and fetch them. Optional: without it, they wait
   * until the claims expire.
   */
  release?(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<void>;
  /**
   * `getMany` and `claim` in one round trip: for each key, the item or `null` when its answer is
   * stored, else `true` when this instance holds its claim now, `false` when another replica does.
   * Optional: without it the loader calls `getMany`, then `claim`.
   */
  lookUpAndClaim?(scope: SharedCacheScope, keys: readonly CanonicalKey[], ttlMs: number): Promise<(object | null | boolean)[]>;
  /**
   * Hears that answers this instance waited for (keys it found claimed by another replica) are
   * stored now. `items`, when given, holds for each key the answer itself (the item, or `null` for
   * "not found"; `undefined` where the message does not carry it), so the waiter has it without a
   * read; a key without one is read at once. Items are untrusted input, checked by the loader as
   * a read's are. Returns a function that stops listening. Optional: without it, a waiter looks for
   * the answer every `CLAIM_POLL_MS`; with it, only every `CLAIM_FALLBACK_POLL_MS` in case a message
   * is lost. The loader subscribes when it is built, before it claims anything.
   */
  subscribeStored?(listener: (scope: SharedCacheScope, keys: readonly CanonicalKey[], items?: readonly (object | null | undefined)[]) => void): () => void;
}

/** How a write to the shared tier keeps its entries. */
export interface SharedCacheWriteOptions {
  /** How long past its time to live an entry is kept for `getStale`, in milliseconds; 0: not kept. */
  staleIfErrorMs: number;
}

/** Options of `createMemorySharedCache`. */
export interface MemorySharedCacheOptions {
  /**
   * How long an item is kept, in milliseconds.
   * @default 300_000
   */
  ttlMs?: number;
  /**
   * How long "not found" is kept, in milliseconds; 0 does not keep it.
   * @default 5_000
   */
  notFoundTtlMs?: number;
}

/** `expiresAt`: fresh until; `keepUntil`: held for `getStale` until (`performance.now()` times). */
type StoredEntry = { value: object | null; expiresAt: number; keepUntil: number } | { aliasOf: string; expiresAt: number; keepUntil: number };

/** What replicas of one in-memory tier share: the entries and the invalidation bus. */
class MemoryStore {
  readonly entries = new Map<string, StoredEntry>();
  /** Keys being fetched: who holds each claim, and until when. */
  readonly claims = new Map<string, { owner: string; expiresAt: number }>();
  readonly listeners = new Set<(invalidation: SharedCacheInvalidation) => void>();
  replicas = 0;

  constructor(
    readonly ttlMs: number,
    readonly notFoundTtlMs: number,
  ) {}
}

/**
 * A shared cache tier in this process's memory: what `@cdf-loader/redis` does over Redis, for
 * tests and for several loaders of one process that should share entries. `replica()` gives
 * another instance over the same entries, as a second replica would have.
 */
export class MemorySharedCache implements SharedCache {
  readonly id: string;
  readonly #store: MemoryStore;

  /** @internal Use `createMemorySharedCache`. */
  constructor(store: MemoryStore) {
    this.#store = store;
    this.id = `memory-${++store.replicas}`;
  }

  /** Another replica's instance over the same entries and bus. */
  replica(): MemorySharedCache {
    return new MemorySharedCache(this.#store);
  }

  getMany(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<(object | null | undefined)[]> {
    return Promise.resolve(keys.map((key) => this.#read(storeKey(scope, key))));
  }

  setMany(
    scope: SharedCacheScope,
    items: readonly SharedCacheItem[],
    notFound: readonly CanonicalKey[],
    options?: SharedCacheWriteOptions,
  ): Promise<void> {
    const { entries, claims, ttlMs, notFoundTtlMs } = this.#store;
    const now = performance.now();
    const graceMs = options?.staleIfErrorMs ?? 0;
    for (const { item, keys } of items) {
      const primary = storeKey(scope, keys[0]!);
      const times = { expiresAt: now + ttlMs, keepUntil: now + ttlMs + graceMs };
      entries.set(primary, { value: item, ...times });
      for (const alias of keys.slice(1)) entries.set(storeKey(scope, alias), { aliasOf: primary, ...times });
      for (const key of keys) claims.delete(storeKey(scope, key));
    }
    for (const key of notFound) {
      if (notFoundTtlMs > 0) entries.set(storeKey(scope, key), { value: null, expiresAt: now + notFoundTtlMs, keepUntil: now + notFoundTtlMs + graceMs });
      claims.delete(storeKey(scope, key));
    }
    return Promise.resolve();
  }

  getStale(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<(object | null | undefined)[]> {
    return Promise.resolve(keys.map((key) => this.#read(storeKey(scope, key), 'keepUntil')));
  }

  claim(scope: SharedCacheScope, keys: readonly CanonicalKey[], ttlMs: number): Promise<boolean[]> {
    const { claims } = this.#store;
    const now = performance.now();
    return Promise.resolve(
      keys.map((key) => {
        const stored = storeKey(scope, key);
        // Written back since the caller looked: to be read, not fetched.
        if (this.#read(stored) !== undefined) return false;
        const held = claims.get(stored);
        if (held !== undefined && held.expiresAt > now && held.owner !== this.id) return false;
        claims.set(stored, { owner: this.id, expiresAt: now + ttlMs });
        return true;
      }),
    );
  }

  release(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<void> {
    const { claims } = this.#store;
    for (const key of keys) {
      const stored = storeKey(scope, key);
      if (claims.get(stored)?.owner === this.id) claims.delete(stored);
    }
    return Promise.resolve();
  }

  delete(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<void> {
    const { entries } = this.#store;
    for (const key of keys) {
      const stored = storeKey(scope, key);
      // Entries kept for stale-if-error go too: a cleared item is never served again.
      const item = this.#read(stored, 'keepUntil');
      entries.delete(stored);
      if (item === undefined || item === null) continue;
      // Every alias of the item goes with it, whichever key named it.
      const primary = storeKey(scope, (item as { id: number }).id);
      for (const [other, entry] of entries) if ('aliasOf' in entry && entry.aliasOf === primary) entries.delete(other);
      entries.delete(primary);
    }
    this.#publish({ scope, keys, origin: this.id });
    return Promise.resolve();
  }

  clear(scope: SharedCacheScope): Promise<void> {
    const prefix = scopePrefix(scope);
    for (const key of [...this.#store.entries.keys()]) if (key.startsWith(prefix)) this.#store.entries.delete(key);
    this.#publish({ scope, keys: 'all', origin: this.id });
    return Promise.resolve();
  }

  subscribe(listener: (invalidation: SharedCacheInvalidation) => void): () => void {
    this.#store.listeners.add(listener);
    return () => this.#store.listeners.delete(listener);
  }

  /** The value held under `key` (through its alias), while `until` (fresh, or held for stale) is ahead. */
  #read(key: string, until: 'expiresAt' | 'keepUntil' = 'expiresAt'): object | null | undefined {
    let entry = this.#store.entries.get(key);
    if (entry !== undefined && 'aliasOf' in entry) entry = this.#store.entries.get(entry.aliasOf);
    if (entry === undefined || 'aliasOf' in entry || entry[until] <= performance.now()) return undefined;
    return entry.value;
  }

  /** Delivered after the caller's turn, as a pub/sub message would be. */
  #publish(invalidation: SharedCacheInvalidation): void {
    for (const listener of this.#store.listeners) queueMicrotask(() => listener(invalidation));
  }
}

/** A shared cache tier in this process's memory (see `MemorySharedCache`). */
export function createMemorySharedCache(options: MemorySharedCacheOptions = {}): MemorySharedCache {
  return new MemorySharedCache(new MemoryStore(options.ttlMs ?? 300_000, options.notFoundTtlMs ?? 5_000));
}

/** `["project","resource","principal",` — JSON, so no part can run into the next. */
function scopePrefix(scope: SharedCacheScope): string {
  return JSON.stringify([scope.project, scope.resource, scope.principal]).slice(0, -1) + ',';
}

function storeKey(scope: SharedCacheScope, key: CanonicalKey): string {
  return scopePrefix(scope) + JSON.stringify(key);
}
