import type { SharedCache } from '../shared/shared-cache.js';
import { checkCount, checkKnownKeys, checkMilliseconds, checkObject } from './check.js';
import { describeValue } from './describe-value.js';

/** Options of the result cache. */
export interface CacheOptions {
  /**
   * Most entries held. An item takes one entry per identifier it carries (id, externalId,
   * instanceId), so 10,000 entries hold between 3,333 and 10,000 items. Memory is taken as
   * entries are stored, not up front.
   * @default 10_000
   */
  max?: number;
  /**
   * How long a found item is served from the cache, in milliseconds (at most 2^31−1).
   * `Infinity`: until evicted.
   * @default 60_000
   */
  ttlMs?: number;
  /**
   * How long "CDF has no such item" is remembered, in milliseconds (at most 2^31−1, or
   * `Infinity`); 0 does not remember it.
   * @default 5_000
   */
  notFoundTtlMs?: number;
  /**
   * Stale if error: how long an entry is kept past `ttlMs` (or `notFoundTtlMs`), in milliseconds,
   * to be served when its refetch meets an outage (a 5xx, no answer, a timeout, a 429 beyond the
   * retries), never for a 4xx such as 401 or 403. Counted in `stats().staleServed` and told on
   * `cdf-loader:load` as `outcome: 'stale'`. The shared tier (`shared`) keeps its entries this
   * much longer too. At most 2^31−1; 0 serves nothing stale.
   * @default 0
   */
  staleIfErrorMs?: number;
  /**
   * Stale while revalidate: how long past `ttlMs` (or `notFoundTtlMs`) an entry is still served
   * at once, in milliseconds, while one request refreshes it in the background. A refresh that
   * fails for an outage keeps the entry; a 401 or 403 drops it, so nothing stale is served again.
   * Counted in `stats().staleWhileRevalidate`, told as `outcome: 'staleWhileRevalidate'`. At most
   * 2^31−1; 0 never serves stale this way.
   * @default 0
   */
  staleWhileRevalidateMs?: number;
  /**
   * A tier shared by the replicas of a service, behind this cache (`redisCache` from
   * `@cdf-loader/redis`): a chunk's keys are looked up there before it is sent, and answers are
   * written back. `clear`, `clearAll` and `prime` reach every replica.
   */
  shared?: SharedCache;
}

/** The cache options checked, defaults filled in; `false` for no cache. */
export type CheckedCacheOptions =
  | { max: number; ttlMs: number; notFoundTtlMs: number; staleIfErrorMs: number; staleWhileRevalidateMs: number; shared: SharedCache | undefined }
  | false;

/** Checks the `cache` option. */
export function checkCache(value: unknown): CheckedCacheOptions {
  if (value === false) return false;
  const cache = checkObject('cache', value ?? {}, ' or `false`');
  checkKnownKeys('cache.', cache, ['max', 'ttlMs', 'notFoundTtlMs', 'staleIfErrorMs', 'staleWhileRevalidateMs', 'shared']);
  return {
    max: checkCount('cache.max', cache.max ?? 10_000, 1),
    ttlMs: checkMilliseconds('cache.ttlMs', cache.ttlMs ?? 60_000, 1, true),
    notFoundTtlMs: checkMilliseconds('cache.notFoundTtlMs', cache.notFoundTtlMs ?? 5_000, 0, true),
    staleIfErrorMs: checkMilliseconds('cache.staleIfErrorMs', cache.staleIfErrorMs ?? 0, 0, false),
    staleWhileRevalidateMs: checkMilliseconds('cache.staleWhileRevalidateMs', cache.staleWhileRevalidateMs ?? 0, 0, false),
    shared: checkSharedCache(cache.shared),
  };
}

function checkSharedCache(value: unknown): SharedCache | undefined {
  if (value === undefined) return undefined;
  const shared = value as Partial<SharedCache> | null;
  const methods = ['getMany', 'setMany', 'delete', 'clear', 'subscribe'] as const;
  if (typeof shared !== 'object' || shared === null || typeof shared.id !== 'string' || methods.some((name) => typeof shared[name] !== 'function')) {
    throw new TypeError(
      `\`cache.shared\` must be a shared cache tier (such as \`redisCache(…)\` from @cdf-loader/redis) with \`id\`, ${methods.map((name) => `\`${name}\``).join(', ')}, got ${describeValue(value)}.`,
    );
  }
  return value as SharedCache;
}
