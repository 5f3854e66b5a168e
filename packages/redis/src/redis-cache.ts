import { randomUUID } from 'node:crypto';
import type { CanonicalKey, SharedCache, SharedCacheInvalidation, SharedCacheItem, SharedCacheScope, SharedCacheWriteOptions } from 'cdf-loader';
import {
  claimScript,
  clearScript,
  decodeEntries,
  deleteScript,
  generationKey,
  itemArguments,
  keyPart,
  readAndClaimScript,
  readScript,
  releaseScript,
  scopeBase,
  STALE,
  storeScript,
} from './cache-storage.js';
import { ChannelSubscription } from './channel-subscription.js';
import { checkConnection, checkKeyName, checkMilliseconds } from './check-options.js';
import type { RedisConnection, RedisConnectionOptions, RedisScript } from './redis-client.js';
import { parseInvalidation, parseStored, storedMessageHead } from './channel-messages.js';

export interface RedisCacheOptions extends RedisConnectionOptions {
  /**
   * The start of every key and of the invalidation channel's name (`<keyPrefix>invalidations`).
   * Replicas that share entries use the same. No `{` or `}`. Default `'cdf-loader:'`.
   */
  keyPrefix?: string;
  /** How long an item stays in Redis, in milliseconds. Default 300_000 (5 minutes). */
  ttlMs?: number;
  /** How long "CDF has no such item" stays in Redis, in milliseconds; 0 stores none. Default 5_000. */
  notFoundTtlMs?: number;
}

/** A `SharedCache` over Redis, from `redisCache()`. */
export interface RedisCache extends SharedCache {
  /** Always there over Redis: a claim is a key `SET NX PX` (see `SharedCache.claim`). */
  claim(scope: SharedCacheScope, keys: readonly CanonicalKey[], ttlMs: number): Promise<boolean[]>;
  /** Always there over Redis: the read and the claims in one script (see `SharedCache.lookUpAndClaim`). */
  lookUpAndClaim(scope: SharedCacheScope, keys: readonly CanonicalKey[], ttlMs: number): Promise<(object | null | boolean)[]>;
  /** Always there over Redis: deletes this instance's claims on the keys and tells their waiters (see `SharedCache.release`). */
  release(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<void>;
  /** Always there over Redis: the answers this instance waits for, on its own channel (see `SharedCache.subscribeStored`). */
  subscribeStored(listener: (scope: SharedCacheScope, keys: readonly CanonicalKey[], items?: readonly (object | null | undefined)[]) => void): () => void;
  /**
   * Always there over Redis: the copies `setMany` kept for the loader's `cache.staleIfErrorMs`
   * (`ttlMs` + that grace; see `SharedCache.getStale`).
   */
  getStale(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<(object | null | undefined)[]>;
  /**
   * Resolves once invalidations and the answers this instance waits for are being heard, starting
   * to listen if nothing has subscribed yet; rejects if the subscriber connection could not be set
   * up (a later call tries again).
   */
  listening(): Promise<void>;
  /** Stops hearing invalidations and answers, and closes the connection it opened for that (never `client` or `subscriber`). */
  close(): Promise<void>;
}

/**
 * A shared cache tier over Redis for `cache.shared`: the replicas of a service that use the same
 * `keyPrefix` share items, and hear each other's deletes and clears.
 * @throws {TypeError} naming the option, the rule and the value, for an option out of range.
 * @example
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * createCdfLoaders({ ...options, cache: { shared: redisCache({ client: redis, ttlMs: 300_000 }) } });
 */
export function redisCache(options: RedisCacheOptions): RedisCache {
  return new RedisSharedCache({
    ...checkConnection(options),
    keyPrefix: checkKeyName('keyPrefix', options.keyPrefix ?? 'cdf-loader:', true),
    ttlMs: checkMilliseconds('ttlMs', options.ttlMs ?? 300_000, 1),
    notFoundTtlMs: checkMilliseconds('notFoundTtlMs', options.notFoundTtlMs ?? 5_000, 0),
  });
}

type StoredListener = (scope: SharedCacheScope, keys: readonly CanonicalKey[], items?: readonly (object | null | undefined)[]) => void;

interface Settings extends RedisConnection {
  keyPrefix: string;
  ttlMs: number;
  notFoundTtlMs: number;
}

class RedisSharedCache implements RedisCache {
  readonly id = randomUUID();
  readonly #settings: Settings;
  readonly #channel: string;
  /** The start of each instance's channel of answers it waited for (see `storeScript`). */
  readonly #storedChannels: string;
  readonly #listeners = new Set<(invalidation: SharedCacheInvalidation) => void>();
  readonly #storedListeners = new Set<StoredListener>();
  /** The invalidation channel and this instance's channel of answers, on one connection. */
  readonly #subscription: ChannelSubscription;

  constructor(settings: Settings) {
    this.#settings = settings;
    this.#channel = `${settings.keyPrefix}invalidations`;
    this.#storedChannels = `${settings.keyPrefix}stored:`;
    this.#subscription = new ChannelSubscription(settings, {
      [this.#channel]: (message) => this.#hear(message),
      [this.#storedChannels + this.id]: (message) => this.#hearStored(message),
    });
  }

  async getMany(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<(object | null | undefined)[]> {
    if (keys.length === 0) return [];
    const base = scopeBase(this.#settings.keyPrefix, scope);
    const values = await this.#run(readScript, base, [base, ...keys.map(keyPart)]);
    return decodeEntries(keys, values as (string | null)[]);
  }

  async getStale(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<(object | null | undefined)[]> {
    if (keys.length === 0) return [];
    const base = scopeBase(this.#settings.keyPrefix, scope);
    // The copies live under `stale:<key>`, and their aliases point at `stale:<first key>`: the read is the same.
    const values = await this.#run(readScript, base, [base, ...keys.map((key) => STALE + keyPart(key))]);
    return decodeEntries(keys, values as (string | null)[]);
  }

  async setMany(
    scope: SharedCacheScope,
    items: readonly SharedCacheItem[],
    notFound: readonly CanonicalKey[],
    options?: SharedCacheWriteOptions,
  ): Promise<void> {
    const stored = items.filter(({ keys }) => keys.length > 0);
    // Passed even when not stored (`notFoundTtlMs: 0`): the script ends their claims.
    const missing = notFound;
    if (stored.length === 0 && missing.length === 0) return;
    const base = scopeBase(this.#settings.keyPrefix, scope);
    const { ttlMs, notFoundTtlMs } = this.#settings;
    const graceMs = Math.ceil(options?.staleIfErrorMs ?? 0);
    const keepItemMs = graceMs > 0 ? ttlMs + graceMs : 0;
    const keepNotFoundMs = graceMs > 0 ? notFoundTtlMs + graceMs : 0;
    const args = [base, String(ttlMs), String(notFoundTtlMs), String(stored.length), String(keepItemMs), String(keepNotFoundMs), this.#storedChannels, storedMessageHead(scope)];
    for (const item of stored) args.push(...itemArguments(item));
    for (const key of missing) args.push(keyPart(key));
    await this.#run(storeScript, base, args);
  }

  async claim(scope: SharedCacheScope, keys: readonly CanonicalKey[], ttlMs: number): Promise<boolean[]> {
    if (keys.length === 0) return [];
    const base = scopeBase(this.#settings.keyPrefix, scope);
    const owned = (await this.#run(claimScript, base, [base, this.id, String(Math.ceil(ttlMs)), ...keys.map(keyPart)])) as number[];
    return owned.map((value) => value === 1);
  }

  async lookUpAndClaim(scope: SharedCacheScope, keys: readonly CanonicalKey[], ttlMs: number): Promise<(object | null | boolean)[]> {
    if (keys.length === 0) return [];
    const base = scopeBase(this.#settings.keyPrefix, scope);
    const found = (await this.#run(readAndClaimScript, base, [base, this.id, String(Math.ceil(ttlMs)), ...keys.map(keyPart)])) as (string | number)[];
    const entries = decodeEntries(keys, found.map((value) => (typeof value === 'string' ? value : null)));
    // An entry that looked like ours to the script but does not decode: no answer, and no other
    // replica's claim either, so it is fetched here (and overwritten). "Not found" (null) is an answer.
    return found.map((value, index) => {
      const entry = entries[index];
      return typeof value === 'number' ? value === 1 : entry === undefined || entry;
    });
  }

  async release(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<void> {
    if (keys.length === 0) return;
    const base = scopeBase(this.#settings.keyPrefix, scope);
    await this.#run(releaseScript, base, [base, this.id, this.#storedChannels, storedMessageHead(scope), ...keys.map(keyPart)]);
  }

  subscribeStored(listener: StoredListener): () => void {
    this.#storedListeners.add(listener);
    this.#subscription.start().catch(() => {});
    return () => {
      this.#storedListeners.delete(listener);
    };
  }

  async delete(scope: SharedCacheScope, keys: readonly CanonicalKey[]): Promise<void> {
    if (keys.length === 0) return;
    const base = scopeBase(this.#settings.keyPrefix, scope);
    await this.#run(deleteScript, base, [base, this.#channel, this.#message(scope, keys), ...keys.map(keyPart)]);
  }

  async clear(scope: SharedCacheScope): Promise<void> {
    await this.#run(clearScript, scopeBase(this.#settings.keyPrefix, scope), [this.#channel, this.#message(scope, 'all')]);
  }

  subscribe(listener: (invalidation: SharedCacheInvalidation) => void): () => void {
    this.#listeners.add(listener);
    // A failure here is not the caller's: node-redis keeps reconnecting, and `listening()` reports it.
    this.#subscription.start().catch(() => {});
    return () => {
      this.#listeners.delete(listener);
    };
  }

  listening(): Promise<void> {
    return this.#subscription.start();
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#storedListeners.clear();
    await this.#subscription.close();
  }

  #run(script: RedisScript, base: string, args: string[]): Promise<unknown> {
    return script.run(this.#settings.client, [generationKey(base)], args, this.#settings.timeoutMs);
  }

  #message(scope: SharedCacheScope, keys: readonly CanonicalKey[] | 'all'): string {
    const invalidation: SharedCacheInvalidation = {
      scope: { project: scope.project, resource: scope.resource, principal: scope.principal },
      keys,
      origin: this.id,
    };
    return JSON.stringify(invalidation);
  }

  #hear(message: string): void {
    const invalidation = parseInvalidation(message);
    if (invalidation === undefined || invalidation.origin === this.id) return;
    for (const listener of this.#listeners) call(() => listener(invalidation));
  }

  #hearStored(message: string): void {
    const stored = parseStored(message);
    if (stored === undefined) return;
    for (const listener of this.#storedListeners) call(() => listener(stored.scope, stored.keys, stored.items));
  }
}

/** Runs a listener; what it throws is thrown on its own, not where node-redis reads its socket (which would break the connection). */
function call(listener: () => void): void {
  try {
    listener();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
